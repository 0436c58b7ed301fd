"""The resources step: ``resources.py`` follows the spec's ``x-sdk-method`` extensions, and refuses gaps."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import GENERATED_DIR
from generator._pipeline import _fresh
from generator._resources import render
from tests.helpers.spec import load_spec

PACKAGE_DIR = GENERATED_DIR / "openai_api_client"


def _spec() -> dict[str, Any]:
    return copy.deepcopy(load_spec())


def _with_moderations(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["tags"].append({"name": "moderations", "description": "Classify text."})
    spec["components"]["schemas"]["CreateModerationRequest"] = {
        "type": "object",
        "required": ["input"],
        "properties": {"input": {"type": "string", "description": "The text to classify."}},
    }
    spec["components"]["schemas"]["ModerationResult"] = {
        "type": "object",
        "required": ["id", "flagged"],
        "properties": {"id": {"type": "string"}, "flagged": {"type": "boolean"}},
    }
    spec["paths"]["/moderations"] = {
        "post": {
            "operationId": "createModeration",
            "x-sdk-method": "moderations.create",
            "tags": ["moderations"],
            "summary": "Create moderation",
            "description": "Classifies whether text breaks the usage policies.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateModerationRequest"}}},
            },
            "responses": {
                "200": {
                    "description": "The verdict.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModerationResult"}}},
                }
            },
        }
    }
    return spec


def test_a_new_operation_shows_up_on_the_client_after_regeneration(tmp_path: Path) -> None:
    spec_path = tmp_path / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(_with_moderations(_spec()), allow_unicode=True, sort_keys=False))
    with _fresh(spec_path, lambda _: None) as out_dir:
        text = (out_dir / "openai_api_client" / "resources.py").read_text(encoding="utf-8")
        assert "class Moderations:" in text and "class AsyncModerations:" in text
        assert "self.moderations = Moderations(requester)" in text
        assert "input: The text to classify." in text and "-> ModerationResult:" in text
        # The generated method builds the generated request and calls the generated function, with its options.
        code = (
            "from openai_api_client.resources import Resources\n"
            "class Requester:\n"
            "    def call(self, endpoint, options, /, **kwargs):\n"
            "        return endpoint.__module__, kwargs['body'].to_dict(), dict(options)\n"
            "print(Resources(Requester()).moderations.create(input='hello', extra_body={'model': 'omni'}))\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=out_dir, capture_output=True, text=True, env={"PYTHONPATH": str(out_dir)}
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "('openai_api_client.api.moderations.create_moderation', {'input': 'hello'}, {'body': {'model': 'omni'}})"
    )


def test_an_operation_without_x_sdk_method_stops_generation() -> None:
    spec = _spec()
    del spec["paths"]["/files/{file_id}"]["delete"]["x-sdk-method"]
    with pytest.raises(RuntimeError, match=r"deleteFile \(DELETE /files/\{file_id\}\) has no x-sdk-method"):
        render(spec, PACKAGE_DIR)


def test_two_operations_on_one_method_stop_generation() -> None:
    spec = _spec()
    spec["paths"]["/files/{file_id}"]["delete"]["x-sdk-method"] = "files.retrieve"
    with pytest.raises(RuntimeError, match=re.escape("'files.retrieve' is already retrieveFile")):
        render(spec, PACKAGE_DIR)
