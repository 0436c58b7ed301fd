"""``python -m generator`` on a mutated copy of the spec: it names the files, reports the API changes, and the
release gate refuses a breaking change until a version and a CHANGELOG entry that names it acknowledge it.

Every run writes only into pytest's temporary folder: the spec, the output, and for the gate a copy of the project's
pyproject.toml, CHANGELOG.md and released baselines.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import GENERATED_DIR, REPO_ROOT, SPEC_PATH
from generator._release import baselines, release_check
from openai_api import _spec
from tests.helpers.spec import load_spec

CLI = [sys.executable, "-m", "generator"]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def _mutated(tmp_path: Path, *mutations: str) -> Path:
    spec = copy.deepcopy(load_spec())
    schemas = spec["components"]["schemas"]
    if "optional-limit" in mutations:
        spec["paths"]["/fine-tunes"]["get"]["parameters"] = [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "How many fine-tunes to return.",
                "schema": {"type": "integer", "minimum": 1},
                "examples": {"page": {"value": 10}},
            }
        ]
    if "rename-filename" in mutations:
        file_schema = schemas["OpenAIFile"]
        file_schema["properties"]["file_name"] = file_schema["properties"].pop("filename")
        file_schema["required"] = ["file_name" if r == "filename" else r for r in file_schema["required"]]
    if "remove-vision" in mutations:
        schemas["UploadPurposeKnown"]["enum"].remove("vision")
    if (tmp_path / "pyproject.toml").exists():
        # In a copy of the project the spec's version is the project's, as the release gate wants.
        spec["info"]["version"] = tomllib.loads((tmp_path / "pyproject.toml").read_text())["project"]["version"]
    path = tmp_path / "spec" / "openapi.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_regeneration_names_the_files_and_reports_an_optional_parameter(tmp_path: Path) -> None:
    spec = _mutated(tmp_path, "optional-limit")
    dest = tmp_path / "generated"
    shutil.copytree(GENERATED_DIR, dest, ignore=shutil.ignore_patterns("__pycache__"))
    proc = _run("--spec", spec, "--dest", dest, "--base", SPEC_PATH)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"^  changed \(5\):$", out, re.M), out
    assert "    openai_api_client/api/fine_tunes/: list_fine_tunes.py" in out
    # The facade's resources gain the parameter too.
    assert "    openai_api_client/: openapi.json, resources.py" in out
    assert "    typescript/: openapi.d.ts" in out
    assert "API changes " + str(SPEC_PATH) + " -> " in out
    assert ": 0 breaking, 1 not breaking" in out
    assert "  ok        listFineTunes (GET /fine-tunes): new optional query parameter `limit`" in out
    # The regenerated function takes the new parameter: the report and the files tell the same story.
    generated = (dest / "openai_api_client" / "api" / "fine_tunes" / "list_fine_tunes.py").read_text()
    assert "limit: int | Unset = UNSET" in generated


def test_report_alone_marks_a_renamed_response_field_and_a_removed_enum_value_breaking(tmp_path: Path) -> None:
    spec = _mutated(tmp_path, "rename-filename", "remove-vision")
    proc = _run("--report", "--spec", spec, "--base", SPEC_PATH)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].endswith(": 2 breaking, 0 not breaking"), proc.stdout
    assert "  BREAKING  schema OpenAIFile (response): field `filename` renamed to `file_name`" in lines
    assert '  BREAKING  schema UploadPurposeKnown (request): value: enum value `"vision"` removed' in lines
    as_json = json.loads(_run("--report", "--json", "--spec", spec, "--base", SPEC_PATH).stdout)
    assert as_json["breaking"] == 2
    assert {c["detail"] for c in as_json["changes"]} == {
        "field `filename` renamed to `file_name`",
        'value: enum value `"vision"` removed',
    }


def test_report_since_a_git_revision(tmp_path: Path) -> None:
    committed = subprocess.run(
        ["git", "show", "HEAD:spec/openapi.yaml"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    spec = tmp_path / "openapi.yaml"
    spec.write_text(committed, encoding="utf-8")
    proc = _run("--report", "--spec", spec, "--since", "HEAD")
    assert (proc.returncode, proc.stdout) == (0, f"API changes HEAD -> {spec}: none\n"), proc.stderr
    missing = _run("--report", "--spec", spec, "--since", "no-such-revision")
    assert missing.returncode == 2
    assert "error: git has no spec/openapi.yaml at 'no-such-revision'" in missing.stderr


def _project(tmp_path: Path) -> Path:
    """A copy of what the release gate reads: pyproject.toml, CHANGELOG.md, spec/released/."""
    root = tmp_path / "project"
    (root / "spec").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO_ROOT / "CHANGELOG.md", root / "CHANGELOG.md")
    shutil.copytree(REPO_ROOT / "spec" / "released", root / "spec" / "released")
    # Just after the newest release: the repository may already carry the next version and its changelog entry.
    _set_version(root, ".".join(map(str, _version())))
    changelog = root / "CHANGELOG.md"
    sections = re.split(r"^(?=## )", changelog.read_text(), flags=re.M)
    changelog.write_text("".join(part for part in sections if not _newer_than_released(part)))
    return root


def _newer_than_released(section: str) -> bool:
    found = re.match(r"## (\d+)\.(\d+)\.(\d+)", section)
    return found is not None and tuple(int(part) for part in found.groups()) > _version()


def _version() -> tuple[int, int, int]:
    """The newest released version: the release the gate compares with (its baseline is frozen)."""
    return max(baselines(REPO_ROOT))


def _set_version(root: Path, version: str) -> None:
    """The project's version, in pyproject.toml and in its spec's info.version when it has one."""
    path = root / "pyproject.toml"
    text, count = re.subn(r'^version = "[^"]+"$', f'version = "{version}"', path.read_text(), count=1, flags=re.M)
    assert count == 1
    path.write_text(text)
    spec = root / "spec" / "openapi.yaml"
    if spec.exists():
        _set_spec_version(spec, version)


def _set_spec_version(spec: Path, version: str) -> None:
    data = _spec.load_file(spec)
    data["info"]["version"] = version
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_repository_passes_its_own_release_gate() -> None:
    proc = _run("--release-check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_gate_lets_a_non_breaking_change_through(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _run("--release-check", "--root", root, "--spec", _mutated(root, "optional-limit"))
    assert proc.returncode == 0, proc.stderr
    assert "OK: no breaking change." in proc.stdout


def test_release_gate_refuses_a_renamed_field_until_acknowledged(tmp_path: Path) -> None:
    major, minor, patch = _version()
    assert major == 0, "while 0.x a new minor may break; after 1.0 this test bumps the major"
    released, patch_release, bumped = f"0.{minor}.{patch}", f"0.{minor}.{patch + 1}", f"0.{minor + 1}.0"
    root = _project(tmp_path)
    spec = _mutated(root, "rename-filename")
    refused = _run("--release-check", "--root", root, "--spec", spec)
    assert refused.returncode == 1, refused.stdout
    assert "  BREAKING  schema OpenAIFile (response): field `filename` renamed to `file_name`" in refused.stderr
    assert f"REFUSED: 1 breaking change(s) since the {released} release, not acknowledged: bump" in refused.stderr
    assert f"to {bumped} (or later)" in refused.stderr

    _set_version(root, patch_release)  # a patch release cannot break callers
    not_enough = _run("--release-check", "--root", root, "--spec", spec)
    assert not_enough.returncode == 1
    assert f"{patch_release} is not a breaking release after {released}" in not_enough.stderr

    _set_version(root, bumped)  # the right bump, but nothing says what broke
    unexplained = _run("--release-check", "--root", root, "--spec", spec)
    assert unexplained.returncode == 1
    assert f"CHANGELOG.md has no `## {bumped}` entry" in unexplained.stderr

    accepted = _with_entry(
        root, spec, bumped, "- Breaking: `files.retrieve` and `files.list`: `filename` is `file_name`."
    )
    assert accepted.returncode == 0, accepted.stderr
    assert f"OK: acknowledged by {bumped}." in accepted.stdout

    frozen = _run("--freeze-baseline", "--root", root, "--spec", spec)
    assert frozen.returncode == 0, frozen.stderr
    assert (root / "spec" / "released" / f"openapi-{bumped}.json").exists()
    after_release = _run("--release-check", "--root", root, "--spec", spec)
    assert f"API changes released {bumped} -> openapi.yaml: none" in after_release.stdout


def test_release_gate_refuses_a_removed_enum_value(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _run("--release-check", "--root", root, "--spec", _mutated(root, "remove-vision"))
    assert proc.returncode == 1
    assert '  BREAKING  schema UploadPurposeKnown (request): value: enum value `"vision"` removed' in proc.stderr


def test_release_gate_without_a_baseline_fails_clearly(tmp_path: Path) -> None:
    root = _project(tmp_path)
    shutil.rmtree(root / "spec" / "released")
    proc = _run("--release-check", "--root", root, "--spec", SPEC_PATH)
    assert proc.returncode == 2
    assert "error: no released baseline in" in proc.stderr
    assert "--freeze-baseline" in proc.stderr


def _write_entry(root: Path, version: str, entry: str) -> None:
    """``entry`` as the whole ``## <version>`` section of the project copy's CHANGELOG.md, above the others."""
    changelog = root / "CHANGELOG.md"
    sections = re.split(r"^(?=## )", changelog.read_text(), flags=re.M)
    kept = [part for part in sections if not part.startswith(f"## {version}\n")]
    kept.insert(1, f"## {version}\n\n{entry}\n\n")
    changelog.write_text("".join(kept))


def _with_entry(root: Path, spec: Path, version: str, entry: str) -> subprocess.CompletedProcess[str]:
    """The release gate, with ``entry`` as the ``## <version>`` section."""
    _write_entry(root, version, entry)
    return _run("--release-check", "--root", root, "--spec", spec)


def test_release_gate_wants_the_entry_to_name_the_operation_and_the_field(tmp_path: Path) -> None:
    major, minor, _ = _version()
    bumped = f"{major}.{minor + 1}.0"
    root = _project(tmp_path)
    _set_version(root, bumped)
    spec = _mutated(root, "rename-filename")
    change = "[schema OpenAIFile (response): field `filename` renamed to `file_name`]"
    operation = "the schema `OpenAIFile` or an operation that uses it (`cancelFineTune`, `createFile`, "

    nothing = _with_entry(root, spec, bumped, "- Breaking: files have changed.")
    assert nothing.returncode == 1
    refused = f"REFUSED: CHANGELOG.md `## {bumped}` does not name the breaking change {change}: it should name "
    assert refused + operation in nothing.stderr, nothing.stderr
    assert nothing.stderr.rstrip().endswith("; or its x-sdk-method, or METHOD /path) and `filename`"), nothing.stderr

    only_operation = _with_entry(root, spec, bumped, "- Breaking: `client.files.retrieve(...)` returns another File.")
    assert only_operation.returncode == 1
    assert f"{refused}`filename`\n" in only_operation.stderr, only_operation.stderr

    only_field = _with_entry(root, spec, bumped, "- Breaking: `filename` is `file_name`.")
    assert only_field.returncode == 1
    assert refused + operation in only_field.stderr
    assert "and `filename`" not in only_field.stderr

    # `GET /files/{file_id}/content` (downloadFile) names neither `GET /files/{file_id}` nor `GET /files`, and
    # `filenames` is not `filename`.
    near_misses = _with_entry(root, spec, bumped, "- Breaking: `GET /files/{file_id}/content` `filenames`.")
    assert near_misses.returncode == 1
    assert refused + operation in near_misses.stderr

    # The place and the change in two different items of a long entry acknowledge nothing.
    scattered = _with_entry(
        root, spec, bumped, "- Lists are pages: `client.files.list()` iterates.\n- Uploads take `(filename, content)`."
    )
    assert scattered.returncode == 1
    assert f"{refused}the place and what changed in one paragraph or list item" in scattered.stderr, scattered.stderr

    for entry in (
        "- Breaking: `OpenAIFile.filename` is `file_name`.",
        "- Breaking: `GET /files/{file_id}` answers `file_name` instead of `filename`.",
        "- Breaking: `retrieveFile`: the `filename` field is `file_name`.",
    ):
        named = _with_entry(root, spec, bumped, entry)
        assert named.returncode == 0, named.stderr
        assert f"OK: acknowledged by {bumped}." in named.stdout


def test_release_gate_wants_the_spec_version_to_be_the_project_version(tmp_path: Path) -> None:
    root = _project(tmp_path)
    spec = _mutated(root, "optional-limit")
    project = ".".join(map(str, _version()))
    _set_spec_version(spec, "9.9.9")
    proc = _run("--release-check", "--root", root, "--spec", spec)
    assert proc.returncode == 1
    assert (
        f"REFUSED: openapi.yaml says info.version 9.9.9, pyproject.toml says {project}: the spec's version is the "
        f"client's, set info.version to {project} (and regenerate)"
    ) in proc.stderr
    frozen = _run("--freeze-baseline", "--root", root, "--spec", spec)
    assert frozen.returncode == 2
    assert f"error: openapi.yaml info.version is not {project} (pyproject.toml)" in frozen.stderr
    _set_spec_version(spec, project)
    assert _run("--release-check", "--root", root, "--spec", spec).returncode == 0


def test_the_repository_spec_carries_the_project_version() -> None:
    spec = load_spec()
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert spec["info"]["version"] == project


def _edits_removed(spec: dict[str, Any]) -> None:
    del spec["paths"]["/edits"]


def _tenant_header(spec: dict[str, Any]) -> None:
    spec["paths"]["/models"]["get"]["parameters"] = [
        {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
    ]


def _no_completion_stream(spec: dict[str, Any]) -> None:
    del spec["paths"]["/completions"]["post"]["responses"]["200"]["content"]["text/event-stream"]


def _no_vision(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["UploadPurposeKnown"]["enum"].remove("vision")


@pytest.mark.parametrize(
    ("mutate", "named", "unnamed", "should_name"),
    [
        (
            _edits_removed,
            "`edits.create` is gone",
            "edits",
            "the operation: `createEdit` or `edits.create` or `POST /edits`",
        ),
        (
            _tenant_header,
            "`GET /models` needs the `X-Tenant` header",
            "`GET /models` needs a header",
            "`X-Tenant`",
        ),
        (
            _no_completion_stream,
            "`createCompletion` no longer streams (`text/event-stream`)",
            "`text/event-stream` is gone",
            "the operation: `createCompletion` or `completions.create` or `completions.stream` or `POST /completions`",
        ),
        (
            _no_vision,
            "`files.create` refuses the purpose `vision`",
            "`UploadPurposeKnown` changed",
            "`vision`",
        ),
    ],
    ids=["removed-operation", "required-header", "media-type", "enum-value"],
)
def test_release_gate_names_what_an_entry_misses(
    tmp_path: Path, mutate: Any, named: str, unnamed: str, should_name: str
) -> None:
    major, minor, _ = _version()
    bumped = f"{major}.{minor + 1}.0"
    root = _project(tmp_path)
    _set_version(root, bumped)
    spec_path = _mutated(root)
    spec = _spec.load_file(spec_path)
    mutate(spec)
    spec_path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for entry, ok in ((named, True), (unnamed, False)):
        _write_entry(root, bumped, f"- Breaking: {entry}.")
        verdict = release_check(spec_path, root)
        assert verdict.ok is ok, verdict.to_text()
        if not ok:
            (problem,) = verdict.problems
            assert problem.endswith(f": it should name {should_name}"), problem
