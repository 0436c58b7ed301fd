"""generator/_diff.py: each kind of spec change is found, placed, and marked breaking or not for a client user."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from generator._diff import Change, diff_specs
from tests.helpers.spec import load_spec

SPEC = load_spec()
Mutation = Callable[[dict[str, Any]], None]


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _changes(mutate: Mutation) -> list[tuple[str, str, bool]]:
    new = copy.deepcopy(SPEC)
    mutate(new)
    return [(c.location, c.detail, c.breaking) for c in diff_specs(SPEC, new).changes]


def test_the_spec_against_itself_has_no_change() -> None:
    assert diff_specs(SPEC, copy.deepcopy(SPEC)).changes == []


def test_documentation_is_not_api() -> None:
    def mutate(spec: dict[str, Any]) -> None:
        spec["paths"]["/files"]["get"]["description"] = "Another description."
        spec["paths"]["/files"]["get"]["x-source"].append({"document": "003", "section": "x"})
        _schemas(spec)["OpenAIFile"]["properties"]["filename"]["description"] = "Changed."

    assert _changes(mutate) == []


def _remove_first_op(spec: dict[str, Any]) -> None:
    del spec["paths"]["/edits"]


def _add_limit(spec: dict[str, Any]) -> None:
    spec["paths"]["/fine-tunes"]["get"]["parameters"] = [
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    ]


def _add_required_header(spec: dict[str, Any]) -> None:
    spec["paths"]["/models"]["get"]["parameters"] = [
        {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
    ]


def _require_edit_input(spec: dict[str, Any]) -> None:
    _schemas(spec)["CreateEditRequest"]["required"].append("input")


def _optional_usage_total(spec: dict[str, Any]) -> None:
    _schemas(spec)["CompletionUsage"]["required"].remove("total_tokens")


def _new_response_field(spec: dict[str, Any]) -> None:
    _schemas(spec)["Model"]["properties"]["root"] = {"type": "string"}


def _new_required_request_field(spec: dict[str, Any]) -> None:
    schema = _schemas(spec)["CreateEmbeddingRequest"]
    schema["properties"]["encoding_format"] = {"type": "string"}
    schema["required"].append("encoding_format")


def _remove_upload_purpose(spec: dict[str, Any]) -> None:
    _schemas(spec)["UploadPurposeKnown"]["enum"].remove("vision")


def _add_upload_purpose(spec: dict[str, Any]) -> None:
    _schemas(spec)["UploadPurposeKnown"]["enum"].append("batch_output")


def _add_open_response_value(spec: dict[str, Any]) -> None:
    _schemas(spec)["FineTuneStatusKnown"]["enum"].append("queued")


def _add_closed_response_value(spec: dict[str, Any]) -> None:
    # ListOrderKnown is a closed enum; used in a response, a new value would be rejected by the generated parser.
    spec["paths"]["/files"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "properties": {"order": {"$ref": "#/components/schemas/ListOrderKnown"}},
    }


def _tighten_prompt(spec: dict[str, Any]) -> None:
    _schemas(spec)["ImagePrompt"]["maxLength"] = 500


def _loosen_prompt(spec: dict[str, Any]) -> None:
    _schemas(spec)["ImagePrompt"]["maxLength"] = 4000


def _tighten_upload(spec: dict[str, Any]) -> None:
    _schemas(spec)["CreateFileRequest"]["properties"]["file"]["x-max-bytes"] = 1024


def _drop_stream(spec: dict[str, Any]) -> None:
    del spec["paths"]["/completions"]["post"]["responses"]["200"]["content"]["text/event-stream"]


def _narrow_suffix_type(spec: dict[str, Any]) -> None:
    _schemas(spec)["CreateCompletionRequest"]["properties"]["suffix"]["type"] = "string"


def _batch_smaller(spec: dict[str, Any]) -> None:
    _schemas(spec)["CreateFileRequest"]["x-purpose-rules"]["batch"]["max-bytes"] = 100 * 1024 * 1024


def _no_webm(spec: dict[str, Any]) -> None:
    _schemas(spec)["AudioFile"]["x-file-extensions"].remove(".webm")


def _jpeg_images(spec: dict[str, Any]) -> None:
    _schemas(spec)["ImageFile"]["x-media-types"].append("image/jpeg")


def _organization_quota(spec: dict[str, Any]) -> None:
    spec["paths"]["/files"]["post"]["x-organization-max-bytes"] = 1024**3


def _stop_not_null(spec: dict[str, Any]) -> None:
    _schemas(spec)["StopSequences"]["anyOf"].pop()


def _nullable_response_field(spec: dict[str, Any]) -> None:
    _schemas(spec)["OpenAIFile"]["properties"]["bytes"]["type"] = ["integer", "null"]


@pytest.mark.parametrize(
    ("mutate", "location", "detail", "breaking"),
    [
        (_remove_first_op, "POST /edits", "operation `createEdit` removed", True),
        (_add_limit, "listFineTunes (GET /fine-tunes)", "new optional query parameter `limit`", False),
        (_add_required_header, "listModels (GET /models)", "new required header parameter `X-Tenant`", True),
        (_require_edit_input, "schema CreateEditRequest (request)", "field `input` now required", True),
        (_optional_usage_total, "schema CompletionUsage (response)", "field `total_tokens` now optional", True),
        (_new_response_field, "schema Model (response)", "new optional field `root`", False),
        (
            _new_required_request_field,
            "schema CreateEmbeddingRequest (request)",
            "new required field `encoding_format`",
            True,
        ),
        (_remove_upload_purpose, "schema UploadPurposeKnown (request)", 'value: enum value `"vision"` removed', True),
        (
            _add_upload_purpose,
            "schema UploadPurposeKnown (request)",
            'value: enum value `"batch_output"` added',
            False,
        ),
        (
            _add_open_response_value,
            "schema FineTuneStatusKnown (response)",
            'value: enum value `"queued"` added (open enum)',
            False,
        ),
        (_tighten_prompt, "schema ImagePrompt (request)", "value: maxLength 1000 -> 500 (tightened)", True),
        (_loosen_prompt, "schema ImagePrompt (request)", "value: maxLength 1000 -> 4000 (loosened)", False),
        (
            _tighten_upload,
            "schema CreateFileRequest (request)",
            "field `file`: x-max-bytes 536870912 -> 1024 (tightened)",
            True,
        ),
        (
            _drop_stream,
            "createCompletion (POST /completions) response 200",
            "media type `text/event-stream` removed",
            True,
        ),
        (
            _narrow_suffix_type,
            "schema CreateCompletionRequest (request)",
            'field `suffix`: type `"null"` no longer allowed',
            True,
        ),
        (
            _batch_smaller,
            "schema CreateFileRequest (request)",
            "x-purpose-rules `batch`: x-max-bytes 209715200 -> 104857600 (tightened)",
            True,
        ),
        (_no_webm, "schema AudioFile (request)", 'value: x-file-extensions `".webm"` removed (tightened)', True),
        (_jpeg_images, "schema ImageFile (request)", 'value: x-media-types `"image/jpeg"` added (loosened)', False),
        (
            _organization_quota,
            "createFile (POST /files)",
            "organization storage: x-max-bytes 107374182400 -> 1073741824 (tightened)",
            True,
        ),
        (_stop_not_null, "schema StopSequences (request)", "value: anyOf alternative `null` removed", True),
        (_nullable_response_field, "schema OpenAIFile (response)", 'field `bytes`: type `"null"` now allowed', True),
    ],
)
def test_each_change_is_found_and_classified(mutate: Mutation, location: str, detail: str, breaking: bool) -> None:
    assert (location, detail, breaking) in _changes(mutate)


def test_a_closed_response_enum_breaks_on_a_new_value() -> None:
    def mutate(spec: dict[str, Any]) -> None:
        _add_closed_response_value(spec)

    new = copy.deepcopy(SPEC)
    mutate(new)
    newer = copy.deepcopy(new)
    _schemas(newer)["ListOrderKnown"]["enum"].append("random")
    changes = [(c.location, c.detail, c.breaking) for c in diff_specs(new, newer).changes]
    assert ("schema ListOrderKnown (response)", 'value: enum value `"random"` added (closed enum)', True) in changes
    assert ("schema ListOrderKnown (request)", 'value: enum value `"random"` added', False) in changes


def test_a_rename_is_one_breaking_change_listing_every_operation_that_uses_it() -> None:
    new = copy.deepcopy(SPEC)
    schema = _schemas(new)["OpenAIFile"]
    schema["properties"]["file_name"] = schema["properties"].pop("filename")
    schema["required"] = ["file_name" if r == "filename" else r for r in schema["required"]]
    (change,) = diff_specs(SPEC, new).changes
    assert (change.location, change.detail, change.breaking) == (
        "schema OpenAIFile (response)",
        "field `filename` renamed to `file_name`",
        True,
    )
    assert {"createFile", "retrieveFile", "listFiles", "listFilesGateway", "retrieveFineTune"} <= set(change.operations)


def test_breaking_changes_come_first_in_text_and_json() -> None:
    new = copy.deepcopy(SPEC)
    _add_limit(new)
    _remove_upload_purpose(new)
    report = diff_specs(SPEC, new, base="HEAD", head="spec/openapi.yaml")
    assert [c.breaking for c in report.changes] == [True, False]
    text = report.to_text().splitlines()
    assert text[0] == "API changes HEAD -> spec/openapi.yaml: 1 breaking, 1 not breaking"
    assert text[1].startswith("  BREAKING  schema UploadPurposeKnown (request)")
    data = report.as_json()
    assert (data["breaking"], data["non_breaking"]) == (1, 1)
    assert data["changes"][1]["operations"] == ["listFineTunes"]


@pytest.mark.parametrize(
    ("mutate", "detail", "subject"),
    [
        (_remove_first_op, "operation `createEdit` removed", ()),
        (_add_required_header, "new required header parameter `X-Tenant`", (("X-Tenant",),)),
        (_require_edit_input, "field `input` now required", (("input",),)),
        (_remove_upload_purpose, 'value: enum value `"vision"` removed', (("vision",),)),
        (_tighten_prompt, "value: maxLength 1000 -> 500 (tightened)", (("ImagePrompt",),)),
        (_tighten_upload, "field `file`: x-max-bytes 536870912 -> 1024 (tightened)", (("file",),)),
        (_drop_stream, "media type `text/event-stream` removed", (("text/event-stream",),)),
        (_batch_smaller, "x-purpose-rules `batch`: x-max-bytes 209715200 -> 104857600 (tightened)", (("batch",),)),
        (_no_webm, 'value: x-file-extensions `".webm"` removed (tightened)', ((".webm",),)),
        (
            _organization_quota,
            "organization storage: x-max-bytes 107374182400 -> 1073741824 (tightened)",
            (("organization storage", "x-organization-max-bytes"),),
        ),
        (_stop_not_null, "value: anyOf alternative `null` removed", (("StopSequences",),)),
    ],
)
def test_each_breaking_change_says_what_it_is_about(
    mutate: Mutation, detail: str, subject: tuple[tuple[str, ...], ...]
) -> None:
    """What the release gate asks a CHANGELOG entry to name, besides the operation."""
    new = copy.deepcopy(SPEC)
    mutate(new)
    (change,) = [c for c in diff_specs(SPEC, new).changes if c.detail == detail]
    assert change.subject == subject


def test_a_nested_field_is_named_by_its_path_or_its_own_name() -> None:
    change = Change("schema X (response)", "field `choices[].message.role` removed", True)
    assert change.subject == (("choices[].message.role", "role"),)
    values = Change("schema X (request)", 'value: enum value `"a"`, `"b"` removed', True)
    assert values.subject == (("a",), ("b",))
    response = Change("retrieveModel (GET /models/{model})", "response 200 removed", True)
    assert response.subject == (("200",),)
