"""Every operation of the spec, called through the client with a valid request (shared by layers 1 and 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai_api as oa
from openai_api._client import OpenAIClient
from openai_api_client.api.chat import create_chat_completion
from openai_api_client.api.completions import create_completion
from openai_api_client.api.edits import create_edit
from openai_api_client.api.embeddings import create_embedding
from openai_api_client.api.files import delete_file, retrieve_file
from openai_api_client.api.fine_tunes import (
    cancel_fine_tune,
    create_fine_tune,
    list_fine_tune_events,
    list_fine_tunes,
    retrieve_fine_tune,
)
from openai_api_client.api.images import create_image
from openai_api_client.api.models import delete_model, list_models, retrieve_model
from openai_api_client.models import (
    CreateChatCompletionRequest,
    CreateCompletionRequest,
    CreateEditRequest,
    CreateEmbeddingRequest,
    CreateFineTuneRequest,
    CreateImageRequest,
)
from tests.helpers.clients import facade
from tests.helpers.spec import Operation, deref, load_spec, operations

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (2).to_bytes(4, "big") * 2 + b"\x08\x06\0\0\0\0\0\0\0"
CHAT: dict[str, Any] = {
    "model": "gpt-3.5-turbo",
    "messages": [{"role": "user", "content": "Hello!"}],
    "temperature": 0.7,
}
COMPLETION: dict[str, Any] = {
    "model": "text-davinci-003",
    "prompt": ["a", "b"],
    "max_tokens": 7,
    "stop": "\n",
    "logit_bias": {"50256": -100},
}

# Each operation of the spec, called through the client with a valid request. Streaming operations have a second
# entry, "<operationId>:stream", that reads the text/event-stream answer. The operations below are called with
# values chosen to reach more of their schema; every other operation (one the spec adds) is called through the
# facade with its spec examples (see ``example_call``), so the list of operations is the spec's alone.
Call = Callable[[OpenAIClient], Any]
_CHOSEN: dict[str, Call] = {
    "listModels": lambda c: oa.call(list_models.sync_detailed, client=c),
    "retrieveModel": lambda c: oa.call(retrieve_model.sync_detailed, client=c, model="text-davinci-003"),
    "deleteModel": lambda c: oa.call(delete_model.sync_detailed, client=c, model="curie:ft-acmeco-2021-03-03"),
    "createCompletion": lambda c: oa.call(
        create_completion.sync_detailed, client=c, body=CreateCompletionRequest.from_dict(COMPLETION)
    ),
    "createCompletion:stream": lambda c: list(facade(c).completions.stream(**COMPLETION)),
    "createChatCompletion": lambda c: oa.call(
        create_chat_completion.sync_detailed, client=c, body=CreateChatCompletionRequest.from_dict(CHAT)
    ),
    "createChatCompletion:stream": lambda c: list(facade(c).chat.completions.stream(**CHAT)),
    "createEdit": lambda c: oa.call(
        create_edit.sync_detailed,
        client=c,
        body=CreateEditRequest(model="text-davinci-edit-001", instruction="Fix the spelling", input_="wek"),
    ),
    "createImage": lambda c: oa.call(
        create_image.sync_detailed, client=c, body=CreateImageRequest.from_dict({"prompt": "otter", "n": 2})
    ),
    "createImageEdit": lambda c: facade(c).images.edit(
        image=("otter.png", PNG, "image/png"), mask=("mask.png", PNG, "image/png"), prompt="a beret", n=2
    ),
    "createImageVariation": lambda c: facade(c).images.create_variation(
        image=("otter.png", PNG, "image/png"), size="256x256", response_format="b64_json"
    ),
    "createEmbedding": lambda c: oa.call(
        create_embedding.sync_detailed,
        client=c,
        body=CreateEmbeddingRequest.from_dict({"model": "text-embedding-ada-002", "input": [[1, 2], [3]]}),
    ),
    "createTranscription": lambda c: facade(c).audio.transcriptions.create(
        file=("audio.mp3", b"ID3", "audio/mpeg"), model="whisper-1", temperature=0.2, language="en"
    ),
    "createTranslation": lambda c: facade(c).audio.translations.create(
        file=("german.m4a", b"\0", "audio/mp4"), model="whisper-1", response_format="verbose_json"
    ),
    "listFiles": lambda c: facade(c).files.list(purpose="fine-tune", limit=10, order="asc", after="file-abc123"),
    "createFile": lambda c: facade(c).files.create(
        file=("mydata.jsonl", b'{"prompt": "a", "completion": "b"}\n', "application/jsonl"), purpose="fine-tune"
    ),
    "listFilesGateway": lambda c: facade(c.with_options()).files.list(purpose="fine-tune"),
    "retrieveFile": lambda c: oa.call(retrieve_file.sync_detailed, client=c, file_id="file-abc123"),
    "deleteFile": lambda c: oa.call(delete_file.sync_detailed, client=c, file_id="file-abc123"),
    "downloadFile": lambda c: facade(c).files.content("file-abc123").content,
    "createFineTune": lambda c: oa.call(
        create_fine_tune.sync_detailed,
        client=c,
        body=CreateFineTuneRequest.from_dict({"training_file": "file-abc", "n_epochs": 2, "suffix": "custom"}),
    ),
    "listFineTunes": lambda c: oa.call(list_fine_tunes.sync_detailed, client=c),
    "retrieveFineTune": lambda c: oa.call(retrieve_fine_tune.sync_detailed, client=c, fine_tune_id="ft-1"),
    "cancelFineTune": lambda c: oa.call(cancel_fine_tune.sync_detailed, client=c, fine_tune_id="ft-1"),
    "listFineTuneEvents": lambda c: oa.call(list_fine_tune_events.sync_detailed, client=c, fine_tune_id="ft-1"),
    "listFineTuneEvents:stream": lambda c: list(facade(c).fine_tunes.stream_events("ft-1")),
}


def _example(node: dict[str, Any]) -> Any:
    if "example" in node:
        return node["example"]
    examples = node.get("examples") or {}
    return next(iter(examples.values()))["value"] if examples else None


def example_call(op: Operation, spec: dict[str, Any], streamed: bool) -> Call:
    """The operation called through the facade method its ``x-sdk-method`` names, with the spec's examples: path
    parameters in order, the body's fields as keywords (a file part as a few bytes named after its field)."""
    names = op.op["x-sdk-stream-method" if streamed else "x-sdk-method"].split(".")
    positional = [_example(p) for p in op.parameters(spec) if p.get("in") == "path"]
    keywords: dict[str, Any] = {}
    for media, content in op.op.get("requestBody", {}).get("content", {}).items():
        keywords = dict(_example(content) or {})
        schema = deref(spec, content["schema"])
        for name, prop in schema.get("properties", {}).items():
            if deref(spec, prop).get("format") == "binary" and media == "multipart/form-data":
                keywords[name] = (f"{name}.bin", b"contract", "application/octet-stream")
        keywords.pop("stream", None)

    def run(c: OpenAIClient) -> Any:
        target: Any = oa.OpenAI(client=c)
        for name in names:
            target = getattr(target, name)
        result = target(*positional, **keywords)
        return list(result) if streamed else result

    return run


def _all_calls() -> dict[str, Call]:
    spec = load_spec()
    calls = dict(_CHOSEN)
    for op in operations(spec):
        if op.operation_id not in calls:
            calls[op.operation_id] = example_call(op, spec, streamed=False)
        if "x-sdk-stream-method" in op.op and f"{op.operation_id}:stream" not in calls:
            calls[f"{op.operation_id}:stream"] = example_call(op, spec, streamed=True)
    return calls


CALLS = _all_calls()
# The audio operations answer text/plain when a text format is asked for.
TEXT_CALLS: dict[str, Call] = {
    "createTranscription": lambda c: facade(c).audio.transcriptions.create(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format="srt"
    ),
    "createTranslation": lambda c: facade(c).audio.translations.create(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", response_format="text"
    ),
}
GATEWAY_CALLS = {"listFilesGateway"}
