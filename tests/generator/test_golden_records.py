"""The custom templates' golden record: what the pipeline writes from a tiny spec, committed and compared.

``tests/generator/golden/openapi.yaml`` has five operations and a dozen schemas, chosen so that every change the
custom templates (``generator/templates/``) make to openapi-python-client 0.29.1's output shows up in
``tests/generator/golden/generated/``: the whole output of the project's own pipeline (``generator._pipeline``,
the same run as ``python -m generator --spec ... --dest ...``) for that spec, so a change to another step
(``resources.py``, ``checks.py``, ``typed_dicts.py``, the TypeScript types) shows up here too. The folder is named
``generated`` so that pyproject.toml's ruff ``extend-exclude`` covers it; mypy needs
``exclude = ["^tests/generator/golden/"]`` under ``[tool.mypy]`` (the record is a second ``openai_api_client``
package). The tests here

- regenerate the spec into a temporary folder and compare it with the record byte for byte, naming the files that
  differ and showing a unified diff;
- assert, one test per template change, the lines that change writes (each test's name says what it does);
- keep the custom templates within a committed number of changed lines against the pinned upstream templates;
- check that each ``generator/patches/*.patch`` applies to the upstream template and is one of our changes.

After an intended template change, refresh the record (and print the line counts) with::

    .venv/bin/python -m tests.generator.test_golden_records --update

then review ``git diff tests/generator/golden``. Without ``--update`` the command compares and prints, and writes
nothing. A template that grows past ``TEMPLATE_CHANGED_LINES_BUDGET`` on purpose raises that number here.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator._pipeline import _CONFIG_DIR, REPO_ROOT, CheckResult, _compare, _fresh, generate

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_SPEC = GOLDEN / "openapi.yaml"
RECORD = GOLDEN / "generated"
PACKAGE = RECORD / "openai_api_client"
REFRESH = ".venv/bin/python -m tests.generator.test_golden_records --update"

CUSTOM_TEMPLATES = _CONFIG_DIR / "templates"
PATCHES = _CONFIG_DIR / "patches"
UPSTREAM_VERSION = "0.29.1"
# Lines changed (added + removed, difflib) by all the custom templates against upstream's: the count when the record
# was made. A template change that needs more raises it here, on purpose, in the same commit.
TEMPLATE_CHANGED_LINES_BUDGET = 126
_MAX_DIFF_LINES = 400


def _quiet(_: str) -> None:
    pass


# --- the record, byte for byte ------------------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True) if path.is_file() else []


def _shown(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


def record_diff(fresh: Path, record: Path = RECORD) -> tuple[CheckResult, str]:
    """What differs between the committed record and a fresh generation: the files, then a unified diff of each."""
    result = _compare(fresh, record)
    if result.clean:
        return result, ""
    out = [
        f"{_shown(record)} is not what the templates generate now:",
        result.summary(),
        f"If the change is intended, refresh the record: {REFRESH}",
        "",
    ]
    diff: list[str] = []
    for name in [*result.changed, *result.missing, *result.extra]:
        diff.extend(
            line.rstrip("\n")
            for line in difflib.unified_diff(
                _lines(record / name), _lines(fresh / name), f"record/{name}", f"generated/{name}"
            )
        )
    if len(diff) > _MAX_DIFF_LINES:
        diff = [*diff[:_MAX_DIFF_LINES], f"... {len(diff) - _MAX_DIFF_LINES} more diff lines: refresh and git diff"]
    return result, "\n".join(out + diff)


def test_the_golden_record_is_what_the_templates_generate() -> None:
    with _fresh(GOLDEN_SPEC, _quiet) as fresh:
        result, message = record_diff(fresh)
    assert result.clean, message


# --- one test per template change: the lines it writes ------------------------------------------------------------


def _text(name: str) -> str:
    return (PACKAGE / name).read_text(encoding="utf-8")


def _assert_lines(name: str, *lines: str) -> None:
    """``lines`` follow one another, each exactly, somewhere in the record's ``name``."""
    have = _text(name).splitlines()
    want = list(lines)
    for start in range(len(have) - len(want) + 1):
        if have[start : start + len(want)] == want:
            return
    raise AssertionError(f"{name} has no lines\n" + "\n".join(want) + f"\n--- {name}:\n" + "\n".join(have))


def _endpoints() -> list[Path]:
    return sorted(p for p in (PACKAGE / "api").rglob("*.py") if p.name != "__init__.py")


def _models() -> list[Path]:
    return sorted(p for p in (PACKAGE / "models").glob("*.py") if p.name != "__init__.py")


def test_the_record_has_every_operation_of_the_spec() -> None:
    names = [p.relative_to(PACKAGE).as_posix() for p in _endpoints()]
    assert names == [
        "api/audio/create_transcription.py",
        "api/chat/create_chat_completion.py",
        "api/files/create_file.py",
        "api/files/list_files.py",
        "api/files/retrieve_file.py",
    ]


# endpoint_module.py.jinja


def test_endpoint_text_alternative_returns_the_text_of_a_text_plain_answer() -> None:
    _assert_lines(
        "api/audio/create_transcription.py",
        "    if response.status_code == 200:",
        "        # TEXT ALTERNATIVE: the operation also answers text/plain.",
        '        if response.headers.get("content-type", "").startswith("text/plain"):',
        "            return response.text",
        "        response_200 = Transcription.from_dict(response.json())",
    )
    # A JSON-only answer is parsed as before.
    assert "text/plain" not in _text("api/files/list_files.py")


def test_endpoint_text_alternative_adds_str_to_the_return_type() -> None:
    name = "api/audio/create_transcription.py"
    _assert_lines(
        name,
        "def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response)"
        " -> Transcription | str | None:",
    )
    _assert_lines(name, ") -> Response[Transcription | str]:")
    _assert_lines(name, ") -> Transcription | str | None:")


def test_endpoint_params_when_set_passes_query_parameters_to_httpx_only_when_one_is_set() -> None:
    name = "api/files/list_files.py"
    _assert_lines(name, '        "url": "/files",', '        "params": params or None,')
    # An operation without query parameters passes none.
    assert '"params"' not in _text("api/files/retrieve_file.py")


def test_endpoint_json_content_type_leaves_the_header_to_httpx() -> None:
    name = "api/chat/create_chat_completion.py"
    _assert_lines(name, '    _kwargs["json"] = body.to_dict()', "", '    _kwargs["headers"] = headers')
    assert 'headers["Content-Type"]' not in _text(name)
    assert 'headers["Content-Type"]' not in _text("api/audio/create_transcription.py")
    # A multipart body keeps its own.
    _assert_lines("api/files/create_file.py", '    headers["Content-Type"] = "multipart/form-data; boundary=+++"')


def test_endpoint_operation_puts_the_method_and_path_template_in_the_request_extensions() -> None:
    _assert_lines(
        "api/files/retrieve_file.py",
        '        "url": "/files/{file_id}".format(',
        '            file_id=quote(str(file_id), safe=""),',
        "        ),",
        '        "extensions": {"operation": "GET /files/{file_id}"},',
        "    }",
    )
    _assert_lines("api/files/create_file.py", '        "extensions": {"operation": "POST /files"},')


def test_endpoint_operation_names_the_request_builder_and_the_response_parser_publicly() -> None:
    for path in _endpoints():
        assert path.read_text(encoding="utf-8").endswith(
            "request_kwargs = _get_kwargs\nparse_response = _parse_response\n"
        ), path.relative_to(PACKAGE)


# model.py.jinja


def test_model_imports_the_models_it_refers_to_once_at_the_bottom_of_its_module() -> None:
    assert _text("models/file_list.py").endswith("\n\nfrom ..models.file_object import FileObject  # noqa: E402\n")
    # Also when the model is a multipart body: to_multipart imports nothing either.
    assert _text("models/create_file_request.py").endswith(
        "\n\nfrom ..models.create_file_request_attributes import CreateFileRequestAttributes  # noqa: E402\n"
    )
    # Type checkers read upstream's block at the top; the import that runs is the one at the bottom.
    _assert_lines("models/file_list.py", "if TYPE_CHECKING:", "    from ..models.file_object import FileObject")
    for path in _models():
        text = path.read_text(encoding="utf-8")
        imports = re.findall(r"^[ \t]+(?:from|import) .*", text, re.MULTILINE)
        assert all(text.count(f"\n{line.strip()}  # noqa: E402\n") == 1 for line in imports), path.name
        assert "PLC0415" not in text, f"{path.name} imports inside a function"


def test_model_from_dict_passes_the_fields_positionally_in_the_order_the_class_declares_them() -> None:
    # The spec lists response_format (required, with a default) first; the class declares file_id first.
    name = "models/create_transcription_request.py"
    _assert_lines(name, "    file_id: str", '    response_format: CreateTranscriptionRequestResponseFormat = "json"')
    _assert_lines(
        name,
        "        create_transcription_request = cls(",
        "            file_id,",
        "            response_format,",
        "        )",
    )
    assert "file_id=file_id" not in _text(name)


def test_model_from_dict_reads_the_given_dict_instead_of_popping_from_a_copy() -> None:
    name = "models/file_object.py"
    _assert_lines(name, "        d = src_dict", '        id = d["id"]')
    _assert_lines(name, '        filename = d.get("filename", UNSET)')
    for path in _models():
        text = path.read_text(encoding="utf-8")
        assert "d.pop(" not in text and "dict(src_dict)" not in text, path.name


def test_model_from_dict_copies_unknown_keys_only_when_there_are_any() -> None:
    name = "models/file_object.py"
    _assert_lines(
        name,
        "        d = (",
        "            {",
        "                key: value",
        "                for key, value in d.items()",
        '                if key not in {"id", "object", "bytes", "purpose", "filename", "status", "status_details"}',
        "            }",
        '            if len(d) > 4 + ("filename" in d) + ("status" in d) + ("status_details" in d)',
        "            else file_object.additional_properties",
        "        )",
        "        file_object.additional_properties = d",
    )
    # Additional properties that are models: each is parsed; with no fields, every key is one.
    _assert_lines(
        "models/chat_completion_usage_by_model.py",
        "        d = (",
        "            {key: value for key, value in d.items()}",
        "            if len(d) > 0",
        "            else chat_completion_usage_by_model.additional_properties",
        "        )",
        "        additional_properties = {}",
        "        for prop_name, prop_dict in d.items():",
        "            additional_property = Usage.from_dict(prop_dict)",
    )


def test_model_api_names_every_model_derives_from_api_object() -> None:
    for path in _models():
        text = path.read_text(encoding="utf-8")
        if "@_attrs_define" in text:
            assert re.search(r"^class \w+\(APIObject\):$", text, re.MULTILINE), path.name


def test_model_api_names_a_field_renamed_from_a_builtin_reads_under_its_api_name_too() -> None:
    name = "models/file_object.py"
    _assert_lines(name, "    @property", "    def bytes(self) -> int:", "        return self.bytes_")
    _assert_lines(name, "    @property", '    def object(self) -> Literal["file"]:', "        return self.object_")


def test_model_api_names_skip_a_name_the_class_annotations_use() -> None:
    """A ``type`` property would hide the builtin in ``from_dict(cls: type[T], ...)``: the field keeps ``type_``."""
    text = _text("models/named_tool_choice.py")
    assert "    type_: " in text and "def type(self)" not in text


# models_init.py.jinja


def test_models_init_loads_each_model_on_first_use() -> None:
    name = "models/__init__.py"
    _assert_lines(name, "if TYPE_CHECKING:", "    from .chat_completion import ChatCompletion")
    _assert_lines(name, "_MODULES = {", '    "ChatCompletion": ".chat_completion",')
    _assert_lines(
        name,
        "    def __getattr__(name: str) -> Any:",
        "        if name not in _MODULES:",
    )
    assert not re.search(r"^from \.", _text(name), re.MULTILINE), "a model imported eagerly"


# property_templates/union_property.py.jinja


def test_union_identity_takes_an_open_enum_or_a_nullable_value_as_it_is() -> None:
    name = "models/file_object.py"
    _assert_lines(name, '        purpose = d["purpose"]')  # FilePurposeKnown | str
    _assert_lines(name, '        status_details = d.get("status_details", UNSET)')  # None | str
    assert "_parse_purpose" not in _text(name) and "_parse_status_details" not in _text(name)


def test_union_try_leaves_a_value_that_is_not_the_constant_to_the_next_member() -> None:
    # Upstream raised ValueError on every tool_choice but "auto": the model member was never tried.
    _assert_lines(
        "models/create_chat_completion_request.py",
        "            try:",
        '                tool_choice_type_0 = cast(Literal["auto"], data)',
        '                if tool_choice_type_0 != "auto":',
        "                    raise ValueError("
        "f\"tool_choice_type_0 must match const 'auto', got '{tool_choice_type_0}'\")",
        "                return tool_choice_type_0",
        "            except (TypeError, ValueError, AttributeError, KeyError):",
        "                pass",
        "            if not isinstance(data, dict):",
        "                raise TypeError()",
        "            tool_choice_type_1 = NamedToolChoice.from_dict(data)",
    )


# types.py.jinja


def test_types_unset_stays_one_unset_pickles_and_copies_as_the_module_s_unset() -> None:
    _assert_lines("types.py", "class Unset:", "    def __bool__(self) -> Literal[False]:", "        return False")
    _assert_lines("types.py", "    def __reduce__(self) -> str:", '        return "UNSET"')


def test_types_api_object_gives_every_model_to_json_and_room_for_a_request_id() -> None:
    _assert_lines("types.py", "class APIObject:")
    _assert_lines("types.py", "    _request_id: str | None = None")
    _assert_lines("types.py", "    def to_json(self, *, indent: int | None = 2) -> str:")
    assert '"APIObject"' in _text("types.py").rsplit("__all__", 1)[1]


def _run_in_record(code: str) -> str:
    """What ``code`` prints, run with the record's ``openai_api_client`` first on the path (not the project's)."""
    env = {"PYTHONPATH": str(RECORD), "PYTHONDONTWRITEBYTECODE": "1"}  # the record stays as committed
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_union_try_a_named_tool_choice_parses_beside_the_constant() -> None:
    code = (
        "from openai_api_client.models import CreateChatCompletionRequest as R\n"
        "for choice in ('auto', {'type': 'function', 'name': 'f'}):\n"
        "    print(type(R.from_dict({'model': 'm', 'messages': [], 'tool_choice': choice}).tool_choice).__name__)\n"
    )
    assert _run_in_record(code).split() == ["str", "NamedToolChoice"]


def test_endpoint_text_alternative_a_text_answer_parses_as_its_text() -> None:
    code = (
        "import httpx\n"
        "from openai_api_client import Client\n"
        "from openai_api_client.api.audio import create_transcription as op\n"
        "client = Client(base_url='http://test')\n"
        "answers = (('text/plain; charset=utf-8', b'hello'), ('application/json', b'{\"text\": \"hi\"}'))\n"
        "for media, content in answers:\n"
        "    print(repr(op.parse_response(client=client, response=httpx.Response(200, content=content,"
        " headers={'content-type': media}))))\n"
    )
    assert _run_in_record(code).splitlines() == ["'hello'", "Transcription(text='hi', additional_properties={})"]


def test_types_unset_stays_one_a_deep_copied_model_still_leaves_its_unset_fields_out() -> None:
    # `filename` is unset; to_dict leaves it out by `is not UNSET`, which a copy's own Unset() passed.
    code = (
        "import copy, pickle\n"
        "from openai_api_client.models import FileObject\n"
        "file = FileObject(id='f', object_='file', bytes_=1, purpose='assistants')\n"
        "for twin in (copy.deepcopy(file), pickle.loads(pickle.dumps(file))):\n"
        "    print(twin.to_json(indent=None))\n"
    )
    want = '{"id": "f", "object": "file", "bytes": 1, "purpose": "assistants", "status": "processed"}'
    assert _run_in_record(code).splitlines() == [want, want]


def test_model_answers_an_answer_s_absent_optional_field_reads_none_and_stays_out() -> None:
    """A model only answers use (``x-answer-only``, marked by the pipeline): absent is ``None``, as in the official
    package, and ``to_dict`` leaves it out; a request model keeps ``UNSET`` (not sent) apart from ``None`` (null)."""
    _assert_lines("models/chat_completion.py", "    usage_by_model: ChatCompletionUsageByModel | None = None")
    _assert_lines("models/create_file_request.py", "    attributes: CreateFileRequestAttributes | Unset = UNSET")
    code = (
        "from openai_api_client.models import ChatCompletion\n"
        "answer = {'id': 'c', 'object': 'chat.completion', 'choices': []}\n"
        "parsed = ChatCompletion.from_dict(answer)\n"
        "print(parsed.usage_by_model, parsed.to_dict() == answer)\n"
    )
    assert _run_in_record(code) == "None True"


# --- how far the custom templates are from upstream's -------------------------------------------------------------


def upstream_templates() -> Path:
    spec = importlib.util.find_spec("openapi_python_client")
    assert spec is not None and spec.origin is not None, "openapi-python-client is not installed"
    return Path(spec.origin).parent / "templates"


def changed_lines(old: list[str], new: list[str]) -> int:
    """Lines added plus lines removed, as difflib's unified diff of ``old`` and ``new`` shows them."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def template_changed_lines() -> dict[str, int]:
    """Each custom template's changed lines against the upstream one of the same name (all of them if none)."""
    upstream = upstream_templates()
    counts = {}
    for path in sorted(CUSTOM_TEMPLATES.rglob("*.jinja")):
        name = path.relative_to(CUSTOM_TEMPLATES).as_posix()
        old = _lines(upstream / name)
        counts[name] = changed_lines(old, _lines(path))
    return counts


def counts_text(counts: dict[str, int]) -> str:
    rows = [f"  {count:5d}  {name}" for name, count in counts.items()]
    total = sum(counts.values())
    verdict = "within" if total <= TEMPLATE_CHANGED_LINES_BUDGET else "OVER"
    return "\n".join(
        [
            f"custom templates, lines changed against openapi-python-client {UPSTREAM_VERSION}'s:",
            *rows,
            f"  {total:5d}  total, {verdict} the budget of {TEMPLATE_CHANGED_LINES_BUDGET}"
            " (TEMPLATE_CHANGED_LINES_BUDGET in tests/generator/test_golden_records.py)",
        ]
    )


def test_the_upstream_templates_are_the_pinned_version() -> None:
    assert importlib.metadata.version("openapi-python-client") == UPSTREAM_VERSION


def test_the_custom_templates_change_no_more_lines_than_the_budget() -> None:
    counts = template_changed_lines()
    print(counts_text(counts))
    assert sum(counts.values()) <= TEMPLATE_CHANGED_LINES_BUDGET, counts_text(counts)


# --- generator/patches: our generic changes, as patches upstream could take ----------------------------------------


@dataclass
class Hunk:
    old_start: int  # 1-based, as in the @@ line
    old: list[str]
    new: list[str]


@dataclass
class Patch:
    template: str  # relative to the templates folder, as CUSTOM_TEMPLATES lays them out
    hunks: list[Hunk]


_PREFIX = "openapi_python_client/templates/"
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


def parse_patch(text: str) -> Patch:
    """A one-file unified diff with ``a/`` and ``b/`` paths in openapi-python-client's repository layout."""
    lines = text.splitlines(keepends=True)
    old_path = lines[0].removeprefix("--- ").split("\t")[0].strip()
    new_path = lines[1].removeprefix("+++ ").split("\t")[0].strip()
    assert old_path.startswith("a/" + _PREFIX) and new_path == "b/" + old_path[2:], (old_path, new_path)
    hunks: list[Hunk] = []
    for line in lines[2:]:
        match = _HUNK.match(line)
        if match:
            hunks.append(Hunk(int(match.group(1)), [], []))
            continue
        assert hunks and line[:1] in " -+\\", f"not a unified diff line: {line!r}"
        if line[:1] in " -":
            hunks[-1].old.append(line[1:])
        if line[:1] in " +":
            hunks[-1].new.append(line[1:])
    assert hunks, "no hunk"
    return Patch(old_path.removeprefix("a/" + _PREFIX), hunks)


def apply_patch(patch: Patch, lines: list[str]) -> list[str]:
    """``lines`` with every hunk applied: its old lines must be there exactly (an offset is allowed, no fuzz)."""
    result = list(lines)
    shift = 0
    for hunk in patch.hunks:
        expected = hunk.old_start - 1 + shift if hunk.old else hunk.old_start + shift
        starts = [i for i in range(len(result) - len(hunk.old) + 1) if result[i : i + len(hunk.old)] == hunk.old]
        if not starts:
            raise ValueError(f"{patch.template}: the hunk at line {hunk.old_start} does not apply")
        start = min(starts, key=lambda i: abs(i - expected))
        result[start : start + len(hunk.old)] = hunk.new
        shift += len(hunk.new) - len(hunk.old) + (start - expected)
    return result


PATCH_FILES = sorted(PATCHES.glob("*.patch"))


def _patch(path: Path) -> Patch:
    return parse_patch(path.read_text(encoding="utf-8"))


def test_there_is_a_patch_for_each_generic_change() -> None:
    assert [p.name for p in PATCH_FILES] == [
        "0001-union-constant-leaves-value-to-next-member.patch",
        "0002-union-plain-values-taken-as-they-are.patch",
        "0003-query-params-only-when-set.patch",
        "0004-json-body-no-content-type-header.patch",
        "0005-text-plain-alternative-response.patch",
        "0006-unset-survives-copy-and-pickle.patch",
    ]
    readme = (PATCHES / "README.md").read_text(encoding="utf-8")
    for path in PATCH_FILES:
        assert f"`{path.name}`" in readme, f"generator/patches/README.md does not describe {path.name}"


@pytest.mark.parametrize("path", PATCH_FILES, ids=[p.stem for p in PATCH_FILES])
def test_each_patch_applies_to_the_upstream_template_and_is_one_of_our_changes(path: Path) -> None:
    patch = _patch(path)
    upstream = _lines(upstream_templates() / patch.template)
    ours = _lines(CUSTOM_TEMPLATES / patch.template)
    patched = apply_patch(patch, upstream)
    size = changed_lines(upstream, patched)
    assert size > 0
    # The patched template is `size` lines nearer ours: every line the patch changes, our template changes so.
    assert changed_lines(patched, ours) == changed_lines(upstream, ours) - size, path.name


def test_the_patches_of_one_template_apply_together() -> None:
    by_template: dict[str, list[Patch]] = {}
    for path in PATCH_FILES:
        patch = _patch(path)
        by_template.setdefault(patch.template, []).append(patch)
    for template, patches in by_template.items():
        upstream = _lines(upstream_templates() / template)
        ours = _lines(CUSTOM_TEMPLATES / template)
        patched = upstream
        sizes = 0
        for patch in patches:
            before, patched = patched, apply_patch(patch, patched)
            sizes += changed_lines(before, patched)
        # What remains between them is the project's own changes (and the header comment saying what they are).
        assert changed_lines(patched, ours) == changed_lines(upstream, ours) - sizes, template


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_apply_accepts_each_patch_in_the_upstream_repository_layout(tmp_path: Path) -> None:
    shutil.copytree(upstream_templates(), tmp_path / "openapi_python_client" / "templates")
    for path in PATCH_FILES:
        done = subprocess.run(
            ["git", "apply", "--check", str(path)], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{path.name}: {done.stderr}"


# --- python -m tests.generator.test_golden_records [--update] -----------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.generator.test_golden_records",
        description="Compare the custom templates' golden record with a fresh generation, or refresh it.",
    )
    parser.add_argument("--update", action="store_true", help=f"rewrite {_shown(RECORD)}/")
    args = parser.parse_args(argv)
    status = 0
    if args.update:
        generate(GOLDEN_SPEC, RECORD, log=print)
    else:
        with _fresh(GOLDEN_SPEC, _quiet) as fresh:
            result, message = record_diff(fresh)
        if result.clean:
            print(f"{_shown(RECORD)} is what the templates generate.")
        else:
            print(message, file=sys.stderr)
            status = 1
    counts = template_changed_lines()
    print(counts_text(counts))
    if sum(counts.values()) > TEMPLATE_CHANGED_LINES_BUDGET:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
