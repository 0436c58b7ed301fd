"""``python -m generator`` on a mutated copy of the spec: it names the files, reports the API changes, and the
release gate refuses a breaking change until a version and a CHANGELOG entry acknowledge it.

Every run writes only into pytest's temporary folder: the spec, the output, and for the gate a copy of the project's
pyproject.toml, CHANGELOG.md and released baselines.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import GENERATED_DIR, REPO_ROOT, SPEC_PATH
from generator._release import baselines

CLI = [sys.executable, "-m", "generator"]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def _mutated(tmp_path: Path, *mutations: str) -> Path:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
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
    path = root / "pyproject.toml"
    text, count = re.subn(r'^version = "[^"]+"$', f'version = "{version}"', path.read_text(), count=1, flags=re.M)
    assert count == 1
    path.write_text(text)


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

    changelog = root / "CHANGELOG.md"
    text = changelog.read_text().replace(
        f"## {released}", f"## {bumped}\n\n- Breaking: File `filename` is `file_name`.\n\n## {released}", 1
    )
    changelog.write_text(text)
    accepted = _run("--release-check", "--root", root, "--spec", spec)
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
