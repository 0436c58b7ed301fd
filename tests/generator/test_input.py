"""``python -m generator`` checks the spec before anything else: every problem, located, exit 2, nothing written.

Each broken spec is a small edit of a copy of ``spec/openapi.yaml`` in pytest's temporary folder, run through the
command line as a user runs it; the output folder is a copy of ``generated/``, hashed before and after.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import GENERATED_DIR, REPO_ROOT, SPEC_PATH
from generator._input import SpecError, load_spec

SPEC_TEXT = SPEC_PATH.read_text(encoding="utf-8")
Edit = Callable[[str], str]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *map(str, args)]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)


def _replace(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert text.count(old) >= 1, f"the spec no longer has {old!r}: update this test"
        return text.replace(old, new, 1)

    return edit


def _line(needle: str, after: str = "") -> int:
    """The line of the real spec where ``needle`` first occurs (after ``after``): the edits keep lines in place."""
    start = SPEC_TEXT.index(after) if after else 0
    return SPEC_TEXT.count("\n", 0, SPEC_TEXT.index(needle, start)) + 1


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def dest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of ``generated/`` for the module: every case leaves it as it was, which each one checks."""
    folder = tmp_path_factory.mktemp("out") / "generated"
    shutil.copytree(GENERATED_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _write(tmp_path: Path, text: str) -> Path:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def _at(line: int, text: str) -> str:
    return f"{{spec}}:{line}: {text}"


MODEL, MODELS = "#/paths/~1models~1{model}", "#/paths/~1models"
# Each case: an edit of the spec, and the problem line it must give (``{spec}`` is the copy's path).
CASES: list[tuple[str, Edit, str]] = [
    (
        "duplicate-operationId",
        _replace("operationId: retrieveModel", "operationId: deleteModel"),
        _at(
            _line("operationId: deleteModel"),
            f"{MODEL}/delete/operationId: duplicate operationId `deleteModel`: also at line "
            f"{_line('operationId: retrieveModel')} ({MODEL}/get/operationId)",
        ),
    ),
    (
        "missing-operationId",
        _replace("      operationId: listModels\n", ""),
        _at(_line("    get:", after="  /models:"), f"{MODELS}/get: GET /models has no operationId"),
    ),
    (
        "duplicate-x-sdk-method",
        _replace("x-sdk-method: models.retrieve", "x-sdk-method: models.list"),
        _at(
            _line("x-sdk-method: models.retrieve"),
            f"{MODEL}/get/x-sdk-method: duplicate x-sdk-method `models.list`: also at line "
            f"{_line('x-sdk-method: models.list')} ({MODELS}/get/x-sdk-method)",
        ),
    ),
    (
        "missing-x-sdk-method",
        _replace("      x-sdk-method: models.delete\n", ""),
        _at(
            _line("    delete:", after="  /models/{model}:"),
            f"{MODEL}/delete: DELETE /models/{{model}} has no x-sdk-method (`resource.method`)",
        ),
    ),
    (
        "path-without-slash",
        _replace("\n  /embeddings:\n", "\n  embeddings:\n"),
        _at(_line("  /embeddings:"), "#/paths/embeddings: path `embeddings` does not start with `/`"),
    ),
    (
        "required-not-in-properties",
        _replace("required: [id, object, owned_by]", "required: [id, object, owned_by, ownedby]"),
        _at(
            _line("required: [id, object, owned_by]"),
            "#/components/schemas/Model/required/3: `required` names `ownedby`, which is not in `properties`",
        ),
    ),
    (
        "dangling-ref",
        _replace("$ref: '#/components/schemas/Model'", "$ref: '#/components/schemas/Modle'"),
        _at(
            _line("$ref: '#/components/schemas/Model'"),
            f"{MODEL}/get/responses/200/content/application~1json/schema/$ref:"
            " $ref `#/components/schemas/Modle` points to nothing",
        ),
    ),
    (
        "yaml-syntax-error",
        _replace("      summary: List models\n", "      summary: List models\n\tbad: tab\n"),
        f"{{spec}}:{_line('summary: List models') + 1}:1: YAML syntax error: found a tab character that violates"
        f" indentation (while scanning a plain scalar at line {_line('summary: List models')})",
    ),
    (
        "empty-file",
        lambda text: "",
        "{spec}: the file is empty: an OpenAPI document is a mapping (openapi, info, paths)",
    ),
    (
        "top-level-list",
        lambda text: "- " + text.replace("\n", "\n  "),
        "{spec}:1:1: the top level is a list, not a mapping: an OpenAPI document is a mapping (openapi, info, paths)",
    ),
    (
        "gateway-quirk-without-its-canonical-path",
        _replace("      canonical-path: /files\n", "      canonical-path: /filez\n"),
        _at(
            _line("    x-gateway-quirk:"),
            "#/paths/~1files%2520_/x-gateway-quirk: x-gateway-quirk's canonical-path `/filez`"
            " is not a path of the spec without parameters",
        ),
    ),
    (
        "gateway-quirk-with-a-templated-canonical-path",
        _replace("      canonical-path: /files\n", "      canonical-path: /files/{file_id}\n"),
        _at(
            _line("    x-gateway-quirk:"),
            "#/paths/~1files%2520_/x-gateway-quirk: x-gateway-quirk's canonical-path `/files/{file_id}`"
            " is not a path of the spec without parameters",
        ),
    ),
    (
        "gateway-quirk-with-a-url-for-a-host",
        _replace("      gateway: api.mygptlife.com\n", "      gateway: https://api.mygptlife.com\n"),
        _at(
            _line("    x-gateway-quirk:"),
            "#/paths/~1files%2520_/x-gateway-quirk: x-gateway-quirk's `gateway` must be the gateway's host name,"
            " not 'https://api.mygptlife.com'",
        ),
    ),
    (
        "gateway-quirk-without-its-canonical-path-key",
        _replace("      canonical-path: /files\n", ""),
        _at(
            _line("    x-gateway-quirk:"),
            "#/paths/~1files%2520_/x-gateway-quirk: x-gateway-quirk has no `canonical-path` (the path it stands for)",
        ),
    ),
    (
        "spec-validator-rejects-a-type",
        _replace("filename: {type: string,", "filename: {type: strin,"),
        _at(
            _line("filename: {type: string,"),
            "#/components/schemas/OpenAIFile/properties/filename/type: openapi-spec-validator:"
            " 'strin' is not valid under any of the given schemas",
        ),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_broken_spec_is_refused_with_its_place_and_nothing_written(
    tmp_path: Path, dest: Path, edit: Edit, expected: str
) -> None:
    spec = _write(tmp_path, edit(SPEC_TEXT))
    before = _tree_hash(dest)
    proc = _run("--spec", spec, "--dest", dest)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert expected.replace("{spec}", str(spec)) in lines, proc.stderr
    assert lines[0] in (f"{spec}: 1 problem, nothing written", f"{spec}: 2 problems, nothing written"), proc.stderr
    assert proc.stdout == ""  # not even "Regenerating ...": the check comes first
    assert _tree_hash(dest) == before


def test_two_problems_are_both_reported(tmp_path: Path, dest: Path) -> None:
    text = SPEC_TEXT.replace("operationId: retrieveModel", "operationId: deleteModel", 1)
    text = text.replace("required: [id, object, owned_by]", "required: [id, object, owned_by, ownedby]", 1)
    spec = _write(tmp_path, text)
    before = _tree_hash(dest)
    proc = _run("--spec", spec, "--dest", dest)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0] == f"{spec}: 2 problems, nothing written"
    assert "duplicate operationId `deleteModel`" in lines[1]
    assert "`required` names `ownedby`" in lines[2]
    assert len(lines) == 3
    assert _tree_hash(dest) == before


def test_the_real_spec_passes() -> None:
    spec = load_spec(SPEC_PATH)
    assert spec == yaml.safe_load(SPEC_TEXT)


@pytest.mark.parametrize("command", ["--check", "--report", "--release-check", "--freeze-baseline"])
def test_every_command_checks_the_spec_first(tmp_path: Path, dest: Path, command: str) -> None:
    spec = _write(tmp_path, SPEC_TEXT.replace("operationId: retrieveModel", "operationId: deleteModel", 1))
    root = tmp_path / "project"  # what --release-check and --freeze-baseline read and write
    shutil.copytree(REPO_ROOT / "spec" / "released", root / "spec" / "released")
    for name in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copy(REPO_ROOT / name, root / name)
    before, released = _tree_hash(dest), _tree_hash(root)
    proc = _run(command, "--spec", spec, "--dest", dest, "--root", root, "--base", SPEC_PATH)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines()[0] == f"{spec}: 1 problem, nothing written"
    assert "duplicate operationId `deleteModel`" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert (_tree_hash(dest), _tree_hash(root)) == (before, released)


def test_a_broken_base_for_the_report_is_named_with_its_place(tmp_path: Path) -> None:
    base = _write(tmp_path, SPEC_TEXT.replace("      summary: List models\n", "      summary: List models\n\tx\n", 1))
    proc = _run("--report", "--base", base)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {base}:{_line('summary: List models') + 1}:1: YAML syntax error: ")


def _schemas(**schemas: Any) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC_TEXT)
    spec["components"]["schemas"].update(schemas)
    return spec


def _undeclared(tmp_path: Path, **schemas: Any) -> list[str]:
    """The problems of the real spec with ``schemas`` added, as ``pointer: message``."""
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(_schemas(**schemas), allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_spec(path)
    except SpecError as exc:
        return [f"{p.pointer}: {p.message}" for p in exc.problems]
    return []


_A = {"type": "object", "properties": {"a": {"type": "string"}}}


@pytest.mark.parametrize(
    ("schemas", "undeclared"),
    [
        ({"T": {"type": "object", "required": ["a", "b"], "properties": {"a": {}}}}, ["T/required/1: `b`"]),
        # Declared by an allOf member, its own or through a $ref: nothing to report.
        ({"A": _A, "T": {"allOf": [{"$ref": "#/components/schemas/A"}], "required": ["a"], "properties": {}}}, []),
        # A member's required may name what its parent or a sibling member declares: the object is the parent's.
        ({"A": _A, "T": {"allOf": [{"$ref": "#/components/schemas/A"}, {"required": ["a"], "properties": {}}]}}, []),
        (
            {"A": _A, "T": {"allOf": [{"$ref": "#/components/schemas/A"}, {"required": ["c"], "properties": {}}]}},
            ["T/allOf/1/required/0: `c`"],
        ),
        # An oneOf branch that declares the name supplies it.
        ({"T": {"oneOf": [_A, {"type": "object"}], "required": ["a"], "properties": {"b": {}}}}, []),
        # additionalProperties (true or a schema) says other names belong to the object; false does not.
        ({"T": {"required": ["z"], "properties": {"a": {}}, "additionalProperties": {"type": "string"}}}, []),
        (
            {"T": {"required": ["z"], "properties": {"a": {}}, "additionalProperties": False}},
            ["T/required/0: `z`"],
        ),
        # Nested schemas are checked too; a required without properties (making a member's field required) is not.
        (
            {"T": {"properties": {"n": {"type": "object", "required": ["x"], "properties": {"y": {}}}}}},
            ["T/properties/n/required/0: `x`"],
        ),
        ({"A": _A, "T": {"allOf": [{"$ref": "#/components/schemas/A"}, {"required": ["q"]}]}}, []),
        # Examples are data: a `required` in one is not a schema's.
        ({"T": {"type": "object", "examples": [{"required": ["x"], "properties": {}}]}}, []),
    ],
    ids=[
        "plain",
        "allof-ref",
        "member-from-sibling",
        "member-undeclared",
        "oneof-branch",
        "additional-properties",
        "additional-properties-false",
        "nested",
        "required-alone",
        "example-data",
    ],
)
def test_which_required_names_are_undeclared(tmp_path: Path, schemas: dict[str, Any], undeclared: list[str]) -> None:
    found = [line.removeprefix("#/components/schemas/") for line in _undeclared(tmp_path, **schemas)]
    assert [line.split(", which")[0].replace(": `required` names ", ": ") for line in found] == undeclared


def test_the_generator_reads_the_spec_without_the_package_it_writes(tmp_path: Path) -> None:
    """The generator runs before ``generated/`` exists (or while it is broken): its modules import the spec-access
    module, ``openai_api._spec``, and that import must not reach ``openai_api_client``."""
    code = (
        "import sys; sys.modules['openai_api_client'] = None\n"
        "import generator.__main__, generator._resources\n"
        "from generator._input import load_spec\n"
        "from pathlib import Path\n"
        "print(len(load_spec(Path(sys.argv[1]))['paths']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SPEC_PATH)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(yaml.safe_load(SPEC_TEXT)["paths"])
