"""``python -m generator [--check]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator._pipeline import GENERATED_DIR, SPEC_PATH, check, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if generated/ is not what the spec produces")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI document (default: %(default)s)")
    parser.add_argument("--dest", type=Path, default=GENERATED_DIR, help="the output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        if not args.check:
            generate(args.spec.resolve(), args.dest.resolve())
            return 0
        result = check(args.spec.resolve(), args.dest.resolve())
    except RuntimeError as exc:
        print(f"generation failed: {exc}", file=sys.stderr)
        return 2
    if result.clean:
        print(f"{args.dest} is exactly what {args.spec} produces.")
        return 0
    print(f"{args.dest} differs from what {args.spec} produces (run `python -m generator`):", file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
