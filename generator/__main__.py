"""``python -m generator [--check | --report | --release-check | --freeze-baseline]``.

Without an option it regenerates ``generated/`` from the spec (and the layer's sync half,
``overrides/openai_api/_sync/``, from its async half), lists the files it changed, and reports the API changes since
the committed spec (``--since REF``, default ``HEAD``; ``--base FILE`` for a spec file instead).
Every command checks the spec first (``_input.py``): with a problem it lists them all and exits 2, writing nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import _unasync
from generator._baseline import BaselineError, load_spec_at, load_spec_file
from generator._diff import Report, diff_specs
from generator._input import SpecError, load_spec
from generator._pipeline import GENERATED_DIR, REPO_ROOT, SPEC_PATH, check, generate
from generator._release import ReleaseError, freeze_baseline, release_check


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if generated/ is not what the spec produces, or the layer's _sync/ not what _async/ makes",
    )
    action.add_argument("--report", action="store_true", help="only print the API change report; generate nothing")
    action.add_argument(
        "--release-check",
        action="store_true",
        help="exit 1 on a breaking change since the released baseline that no version bump acknowledges",
    )
    action.add_argument(
        "--freeze-baseline",
        action="store_true",
        help="at a release: store the spec as spec/released/openapi-<version>.json",
    )
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI document (default: %(default)s)")
    parser.add_argument("--dest", type=Path, default=GENERATED_DIR, help="the output folder (default: %(default)s)")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--since", metavar="REF", default="HEAD", help="git revision to compare with (default: HEAD)")
    base.add_argument("--base", type=Path, metavar="FILE", help="a spec file to compare with, instead of git")
    parser.add_argument("--json", action="store_true", help="the report as JSON, for tools")
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="the project folder: git repository, pyproject.toml, CHANGELOG.md, spec/released/ (default: %(default)s)",
    )
    return parser


def _report(args: argparse.Namespace) -> Report:
    spec_path: Path = args.spec.resolve()
    if args.base is not None:
        old, base = load_spec_file(args.base), str(args.base)
    else:
        old, base = load_spec_at(args.since, spec_path, args.root.resolve()), args.since
    return diff_specs(old, load_spec_file(spec_path), base=base, head=str(args.spec))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    spec, dest = args.spec.resolve(), args.dest.resolve()
    try:
        if args.report or args.release_check or args.freeze_baseline:
            load_spec(spec)  # generate and check load it themselves, first
        if args.report:
            report = _report(args)
            print(report.to_json() if args.json else report.to_text(), end="")
            return 0
        if args.release_check:
            verdict = release_check(spec, args.root.resolve())
            print(verdict.to_text(), end="", file=sys.stdout if verdict.ok else sys.stderr)
            return 0 if verdict.ok else 1
        if args.freeze_baseline:
            print(f"stored {freeze_baseline(spec, args.root.resolve())}")
            return 0
        layer = dest == GENERATED_DIR.resolve()  # the repository's own output: the layer's sync half goes with it
        if not args.check:
            generate(spec, dest)
            if layer:
                made = _unasync.generate()
                unchanged = len(list(_unasync.SYNC_DIR.glob("*.py"))) - len(made.changed) - len(made.missing)
                print(f"Files under {_unasync.SYNC_DIR} (written from _async/):\n{made.written(unchanged)}")
            try:
                print(_report(args).to_text(), end="")
            except BaselineError as exc:
                # The files are written either way; only the comparison is missing, and the user is told why.
                print(f"no API change report: {exc}", file=sys.stderr)
            return 0
        result = check(spec, dest)
        if layer:
            sync_half = _unasync.check()
            if not sync_half.clean:
                print(
                    f"{_unasync.SYNC_DIR} is not what {_unasync.ASYNC_DIR} makes (run `python -m generator`):",
                    file=sys.stderr,
                )
                print(sync_half.summary(), file=sys.stderr)
                return 1
    except SpecError as exc:
        print(exc.to_text(), file=sys.stderr)
        return 2
    except (BaselineError, ReleaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"generation failed: {exc}", file=sys.stderr)
        return 2
    if sync_half is not None and not sync_half.clean:
        print(f"{_unasync.SYNC_DIR} is not what _async/ makes (run `python -m generator`):", file=sys.stderr)
        print(sync_half.summary(), file=sys.stderr)
    if result.clean:
        print(f"{args.dest} is exactly what {args.spec} produces.")
        return 0 if sync_half is None or sync_half.clean else 1
    print(f"{args.dest} differs from what {args.spec} produces (run `python -m generator`):", file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
