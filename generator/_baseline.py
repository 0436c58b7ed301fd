"""Where the spec to compare against comes from: a git revision, or a file."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator._diff import JSON
from generator._input import SpecError, parse_spec


class BaselineError(RuntimeError):
    """The spec to compare against cannot be read: which one, and why."""


def load_spec_file(path: Path) -> JSON:
    """A spec to compare with, from a YAML or JSON file (read, not checked: ``_input.load_spec`` checks the one
    being generated from)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read the spec {path}: {exc.strerror}") from exc
    return _parse(text, str(path))


def load_spec_at(ref: str, spec_path: Path, repo: Path) -> JSON:
    """``spec_path`` as committed at git revision ``ref`` of the repository ``repo``."""
    try:
        relative = spec_path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        # A spec outside the repository (a copy being tried out) is compared with the repository's own spec.
        relative = "spec/openapi.yaml"
    try:
        proc = subprocess.run(
            ["git", "show", f"{ref}:{relative}"], cwd=repo, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BaselineError(f"cannot run git to read {relative} at {ref}: {exc}") from exc
    if proc.returncode != 0:
        raise BaselineError(f"git has no {relative} at {ref!r}: {proc.stderr.strip()}")
    return _parse(proc.stdout, f"{ref}:{relative}")


def _parse(text: str, where: str) -> JSON:
    try:
        data = parse_spec(text, where)
    except SpecError as exc:
        raise BaselineError(exc.problems[0].render(where)) from exc
    if "paths" not in data:
        raise BaselineError(f"{where} is not an OpenAPI document (no `paths`)")
    return data
