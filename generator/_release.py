"""The release gate: a breaking API change is refused until a new version acknowledges it.

The baseline is the spec as released, stored in the repository as ``spec/released/openapi-<version>.json`` (no git
history needed, so a shallow CI clone works). The check compares the newest baseline with the working spec:

- the spec's ``info.version`` differs from ``pyproject.toml``'s ``[project] version``: fails, whatever else;
- no breaking change: passes, whatever the version;
- breaking changes and ``pyproject.toml`` still at the baseline's version: fails, naming each change;
- breaking changes and a newer version: passes only if the bump is big enough (major, or minor while 0.x) and
  ``CHANGELOG.md`` has a ``## <version>`` entry that names each breaking change: its operation (operationId,
  ``x-sdk-method`` or ``METHOD /path``; for a change of a shared component, the component's name will do) and what
  the report says changed (``Change.subject``: the field, parameter, enum value, header, media type, ...). A change
  the entry does not name is printed with the names it should use.

At release, ``python -m generator --freeze-baseline`` stores the working spec as the new version's baseline.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from generator._baseline import BaselineError, load_spec_file
from generator._diff import JSON, Change, Report, diff_specs
from openai_api._spec import operations

_BASELINE = re.compile(r"^openapi-(\d+)\.(\d+)\.(\d+)\.json$")
Version = tuple[int, int, int]


class ReleaseError(RuntimeError):
    """The project's version, changelog or baselines cannot be read."""


@dataclass
class ReleaseCheck:
    """The gate's verdict, with the report it is based on."""

    version: str
    baseline: str
    report: Report
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_text(self) -> str:
        head = f"Release check: spec vs released baseline {self.baseline}, project version {self.version}"
        lines = [head, self.report.to_text().rstrip("\n")]
        if self.ok:
            verdict = "acknowledged by " + self.version if self.report.breaking else "no breaking change"
            lines.append(f"OK: {verdict}.")
        else:
            lines.extend(f"REFUSED: {problem}" for problem in self.problems)
        return "\n".join(lines) + "\n"


def _parse_version(text: str, where: str) -> Version:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text.strip())
    if not match:
        raise ReleaseError(f"{where}: version {text!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def _show(version: Version) -> str:
    return ".".join(str(part) for part in version)


def project_version(root: Path) -> Version:
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _parse_version(str(data["project"]["version"]), str(path))
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise ReleaseError(f"cannot read [project] version from {path}: {exc}") from exc


def baselines(root: Path) -> dict[Version, Path]:
    folder = root / "spec" / "released"
    found: dict[Version, Path] = {}
    for path in folder.glob("openapi-*.json") if folder.is_dir() else ():
        match = _BASELINE.match(path.name)
        if match:
            major, minor, patch = (int(part) for part in match.groups())
            found[(major, minor, patch)] = path
    return found


def changelog_sections(root: Path) -> dict[Version, str]:
    """Each ``## <version>`` section of CHANGELOG.md: its text, up to the next ``## `` heading."""
    path = root / "CHANGELOG.md"
    if not path.exists():
        return {}
    found: dict[Version, str] = {}
    for section in re.split(r"^(?=##\s)", path.read_text(encoding="utf-8"), flags=re.M):
        match = re.match(r"^##\s+\[?(\d+)\.(\d+)\.(\d+)\]?", section)
        if match:
            major, minor, patch = (int(part) for part in match.groups())
            found[(major, minor, patch)] = section
    return found


def changelog_versions(root: Path) -> set[Version]:
    return set(changelog_sections(root))


def _operation_names(spec: JSON) -> dict[str, tuple[str, ...]]:
    """Each operationId with the names a CHANGELOG entry may call its operation by."""
    names: dict[str, tuple[str, ...]] = {}
    for method, path, _, operation in operations(spec):
        if "operationId" in operation:
            op_id = str(operation["operationId"])
            sdk = [str(operation[key]) for key in ("x-sdk-method", "x-sdk-stream-method") if key in operation]
            names[op_id] = (op_id, *sdk, f"{method.upper()} {path}")
    return names


def _named(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` on its own: ``files.list`` is not named by ``files.list_gateway``, nor
    ``GET /files`` by ``GET /files/{file_id}``."""
    return re.search(rf"(?<![\w/-]){re.escape(name)}(?![\w/{{-])", text) is not None


def _items(entry: str) -> list[str]:
    """A CHANGELOG section's paragraphs and list items (a list item runs to the next item or blank line)."""
    return [item for item in re.split(r"\n\s*\n|\n(?=\s*[-*] )", entry) if item.strip()]


def _either(names: tuple[str, ...]) -> str:
    return " or ".join(f"`{name}`" for name in names)


def _unnamed(change: Change, entry: str, old: JSON, new: JSON) -> str | None:
    """What ``entry`` should name and does not, for the breaking ``change``; ``None`` when it names it."""
    known = {**_operation_names(old), **_operation_names(new)}
    operations = [known.get(op_id, (op_id,)) for op_id in change.operations]
    if removed := re.match(r"operation `([^`]+)` removed", change.detail):
        operations.append(known.get(removed[1], (removed[1], change.location)))
    component = re.match(r"schema (\S+) ", change.location)
    places = [(component[1],), *operations] if component else operations
    missing = []
    if places and not any(_named(entry, name) for names in places for name in names):
        if len(operations) == 1 and not component:
            missing.append(f"the operation: {_either(operations[0])}")
        else:
            ids = ", ".join(f"`{names[0]}`" for names in operations)
            schema = f"the schema `{component[1]}` or " if component else ""
            missing.append(f"{schema}an operation that uses it ({ids}; or its x-sdk-method, or METHOD /path)")
    missing += [_either(names) for names in change.subject if not any(_named(entry, name) for name in names)]
    return " and ".join(missing) if missing else None


def _breaking_bump(old: Version, new: Version) -> bool:
    """Whether ``new`` may carry breaking changes after ``old``: a new major, or a new minor while 0.x."""
    if old[0] == 0:
        return new[:2] > old[:2]
    return new[0] > old[0]


def release_check(spec_path: Path, root: Path) -> ReleaseCheck:
    """Compares ``spec_path`` with the newest released baseline under ``root``; see the module doc."""
    version = project_version(root)
    stored = baselines(root)
    if not stored:
        raise ReleaseError(
            f"no released baseline in {root / 'spec' / 'released'}: run `python -m generator --freeze-baseline` "
            "once, at a release, to record the spec as released"
        )
    base_version = max(stored)
    try:
        old, new = load_spec_file(stored[base_version]), load_spec_file(spec_path)
    except BaselineError as exc:
        raise ReleaseError(str(exc)) from exc
    report = diff_specs(old, new, base=f"released {_show(base_version)}", head=spec_path.name)
    check = ReleaseCheck(version=_show(version), baseline=_show(base_version), report=report)
    info = new.get("info")
    spec_version = info.get("version") if isinstance(info, dict) else None
    if spec_version != _show(version):
        check.problems.append(
            f"{spec_path.name} says info.version {spec_version}, pyproject.toml says {_show(version)}: the spec's "
            f"version is the client's, set info.version to {_show(version)} (and regenerate)"
        )
    if version < base_version:
        check.problems.append(
            f"pyproject.toml says {_show(version)}, older than the released baseline {_show(base_version)}"
        )
    if not report.breaking:
        return check
    if version == base_version:
        allowed = f"{base_version[0]}.{base_version[1] + 1}.0" if base_version[0] == 0 else f"{base_version[0] + 1}.0.0"
        check.problems.append(
            f"{len(report.breaking)} breaking change(s) since the {_show(base_version)} release, not acknowledged: "
            f"bump [project] version in pyproject.toml to {allowed} (or later) and add a `## {allowed}` entry to "
            "CHANGELOG.md that names each one: its operation and what changed"
        )
        return check
    if version > base_version and not _breaking_bump(base_version, version):
        check.problems.append(
            f"{_show(version)} is not a breaking release after {_show(base_version)}: breaking changes need a new "
            "major version (a new minor while 0.x)"
        )
    entry = changelog_sections(root).get(version)
    if entry is None:
        check.problems.append(f"CHANGELOG.md has no `## {_show(version)}` entry for the breaking changes")
        return check
    for change in report.breaking:
        # One paragraph or list item must name both where the change is and what changed: names scattered over a
        # long entry about other things acknowledge nothing.
        if any(_unnamed(change, item, old, new) is None for item in _items(entry)):
            continue
        missing = _unnamed(change, entry, old, new) or "the place and what changed in one paragraph or list item"
        check.problems.append(
            f"CHANGELOG.md `## {_show(version)}` does not name the breaking change "
            f"[{change.location}: {change.detail}]: it should name {missing}"
        )
    return check


def freeze_baseline(spec_path: Path, root: Path) -> Path:
    """Stores ``spec_path`` as the released baseline of the project's current version."""
    version = project_version(root)
    if version not in changelog_versions(root):
        raise ReleaseError(f"CHANGELOG.md has no `## {_show(version)}` entry: write it before freezing the release")
    spec: JSON = load_spec_file(spec_path)
    info = spec.get("info")
    if not isinstance(info, dict) or info.get("version") != _show(version):
        raise ReleaseError(
            f"{spec_path.name} info.version is not {_show(version)} (pyproject.toml): set it before freezing the "
            "release"
        )
    target = root / "spec" / "released" / f"openapi-{_show(version)}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
