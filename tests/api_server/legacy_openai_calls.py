"""Every documented operation of the legacy official package, openai 0.28, against a running server, as its users'
code calls them: module-level resources (``openai.File.create(file=open(path, "rb"), purpose="fine-tune")``).

tests/api_server/test_openai_legacy.py runs it in .venv-legacy (scripts/setup.sh), the environment that has that
package, as ``python legacy_openai_calls.py URL KEY SAMPLES`` (SAMPLES: the folder of the sample files the test
wrote). Each call's result is asserted; a call that fails does not stop the others. It prints one JSON list: each
call's name and its failure (null when it passed).

Only the standard library and openai 0.28 here. The package has no type hints, so it is typed ``Any``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

openai: Any = importlib.import_module("openai")

EXPECTED_VERSION = "0.28.1"
# A key of the shape the API hands out, that the server does not know.
WRONG_KEY = "sk-wrong-key-1234567890ab"


@dataclass
class Run:
    """The samples and what the calls made, for the calls after them."""

    samples: Path
    made: dict[str, str] = field(default_factory=dict)

    def sample(self, name: str) -> bytes:
        return (self.samples / name).read_bytes()


Call = Callable[[Run], None]
CALLS: list[tuple[str, Call]] = []


def call(name: str) -> Callable[[Call], Call]:
    """Registers a call under ``name``; the calls run in the order they are written."""

    def register(function: Call) -> Call:
        CALLS.append((name, function))
        return function

    return register


def refused(kind: str, attempt: Callable[[], object]) -> Any:
    """The error openai 0.28 raises for a refusal: its class (``InvalidRequestError``) is ``kind``."""
    try:
        attempt()
    except openai.error.OpenAIError as exc:
        assert type(exc).__name__ == kind, repr(exc)
        return exc
    raise AssertionError(f"it was not refused ({kind} expected)")


def unrecognized(exc: Any, argument: str) -> None:
    """The real API's refusal of an argument its reference does not document."""
    assert exc.http_status == 400, repr(exc)
    assert exc.user_message == f"Unrecognized request argument supplied: {argument}", repr(exc)


CHAT = [{"role": "user", "content": "Say this is a test!"}]


# --- models --------------------------------------------------------------------------------------------------


@call("Model.list")
def _model_list(run: Run) -> None:
    ids = [m.id for m in openai.Model.list().data]
    assert "gpt-3.5-turbo" in ids and "whisper-1" in ids, ids


@call("Model.retrieve")
def _model_retrieve(run: Run) -> None:
    model = openai.Model.retrieve("gpt-3.5-turbo")
    assert model.id == "gpt-3.5-turbo" and model.object == "model", model


@call("Model.retrieve (an unknown model)")
def _model_retrieve_unknown(run: Run) -> None:
    exc = refused("InvalidRequestError", lambda: openai.Model.retrieve("gpt-nope"))
    assert exc.http_status == 404 and exc.code == "model_not_found" and exc.param == "model", repr(exc)
    assert exc.user_message == "The model `gpt-nope` does not exist or you do not have access to it.", repr(exc)


@call("Model.delete (a base model)")
def _model_delete_base(run: Run) -> None:
    exc = refused("InvalidRequestError", lambda: openai.Model.delete("gpt-3.5-turbo"))
    assert exc.http_status == 404, repr(exc)  # a base model is not the organization's to delete


# --- completions, chat, edits --------------------------------------------------------------------------------


@call("Completion.create")
def _completion(run: Run) -> None:
    completion = openai.Completion.create(model="text-davinci-003", prompt="Say this is a test", n=2)
    assert [c.index for c in completion.choices] == [0, 1] and completion.choices[0].text, completion
    assert completion.usage.total_tokens > 0, completion


@call("Completion.create (stream)")
def _completion_stream(run: Run) -> None:
    chunks = openai.Completion.create(model="text-davinci-003", prompt="x", stream=True)
    assert "".join(c.choices[0].text for c in chunks) == "This is indeed a test"


@call("ChatCompletion.create")
def _chat(run: Run) -> None:
    chat = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=CHAT)
    assert chat.choices[0].message.content == "This is a test!", chat
    assert chat.choices[0].message.role == "assistant" and chat.usage.total_tokens > 0, chat


@call("ChatCompletion.create (stream)")
def _chat_stream(run: Run) -> None:
    chunks = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=CHAT, stream=True)
    assert "".join(c.choices[0].delta.get("content", "") for c in chunks) == "This is a test!"


@call("ChatCompletion.create (functions, newer than the documents)")
def _chat_functions(run: Run) -> None:
    function = {"name": "f", "parameters": {"type": "object", "properties": {}}}
    exc = refused(
        "InvalidRequestError",
        lambda: openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=CHAT, functions=[function]),
    )
    unrecognized(exc, "functions")


@call("Edit.create")
def _edit(run: Run) -> None:
    edit = openai.Edit.create(
        model="text-davinci-edit-001", input="What day of the wek is it?", instruction="Fix the spelling mistakes"
    )
    assert edit.choices[0].text == "What day of the week is it?", edit


# --- images, embeddings --------------------------------------------------------------------------------------


@call("Image.create")
def _image(run: Run) -> None:
    images = openai.Image.create(prompt="an otter", n=2, size="256x256")
    assert len(images.data) == 2 and images.data[1].url, images


@call("Image.create_edit")
def _image_edit(run: Run) -> None:
    with (run.samples / "otter.png").open("rb") as image, (run.samples / "mask.png").open("rb") as mask:
        edit = openai.Image.create_edit(image=image, mask=mask, prompt="a beret", response_format="b64_json")
    assert edit.data[0].b64_json, edit


@call("Image.create_variation")
def _image_variation(run: Run) -> None:
    with (run.samples / "otter.png").open("rb") as image:
        variations = openai.Image.create_variation(image=image, n=3)
    assert len(variations.data) == 3 and variations.data[0].url, variations


@call("Image.create_variation (not square)")
def _image_variation_wide(run: Run) -> None:
    with (run.samples / "wide.png").open("rb") as image:
        exc = refused("InvalidRequestError", lambda: openai.Image.create_variation(image=image))
    assert exc.http_status == 400 and exc.param == "image" and "square" in exc.user_message, repr(exc)


@call("Embedding.create")
def _embedding(run: Run) -> None:
    # openai 0.28 sends encoding_format=base64 unless told otherwise, and decodes base64 answers itself: the server
    # takes that argument (beyond the documents) and answers floats, which the package keeps as they are.
    result = openai.Embedding.create(model="text-embedding-ada-002", input=["one", "two"])
    assert [d.index for d in result.data] == [0, 1] and len(result.data[0].embedding) == 8, result
    assert all(isinstance(x, float) for x in result.data[0].embedding), result


@call("Embedding.create (dimensions, newer than the documents)")
def _embedding_dimensions(run: Run) -> None:
    exc = refused(
        "InvalidRequestError",
        lambda: openai.Embedding.create(model="text-embedding-ada-002", input="x", dimensions=4),
    )
    unrecognized(exc, "dimensions")


# --- audio ---------------------------------------------------------------------------------------------------


@call("Audio.transcribe")
def _transcribe(run: Run) -> None:
    with (run.samples / "speech.mp3").open("rb") as audio:
        text = openai.Audio.transcribe("whisper-1", audio)
    assert text.text.startswith("Imagine"), text


@call("Audio.translate")
def _translate(run: Run) -> None:
    with (run.samples / "speech.mp3").open("rb") as audio:
        srt = openai.Audio.translate("whisper-1", audio, response_format="srt")
    assert isinstance(srt, str) and "-->" in srt, srt


@call("Audio.transcribe (not an audio format)")
def _transcribe_text(run: Run) -> None:
    with (run.samples / "speech.txt").open("rb") as text:
        exc = refused("InvalidRequestError", lambda: openai.Audio.transcribe("whisper-1", text))
    assert exc.http_status == 400 and exc.param == "file", repr(exc)
    assert exc.user_message.startswith("Invalid file format. Supported formats: ["), repr(exc)


# --- files ---------------------------------------------------------------------------------------------------


@call("File.create")
def _file_create(run: Run) -> None:
    # openai 0.28 names every upload "file", whatever the local file's name.
    with (run.samples / "train.jsonl").open("rb") as training:
        made = openai.File.create(file=training, purpose="fine-tune")
    assert made.object == "file" and made.purpose == "fine-tune", made
    assert made.filename == "file" and made.bytes == len(run.sample("train.jsonl")), made
    run.made["file"] = made.id


@call("File.create (not JSON Lines)")
def _file_create_not_jsonl(run: Run) -> None:
    with (run.samples / "notes.txt").open("rb") as notes:
        exc = refused("InvalidRequestError", lambda: openai.File.create(file=notes, purpose="fine-tune"))
    assert exc.http_status == 400 and exc.param == "file", repr(exc)
    assert exc.user_message == (
        "Invalid file format for fine-tune. Expected one of ['.jsonl'], got 'file', whose content is not JSON Lines: "
        "line 1 is not JSON."
    ), repr(exc)


@call("File.create (JSON Lines, not training records)")
def _file_create_not_records(run: Run) -> None:
    with (run.samples / "records.jsonl").open("rb") as records:
        exc = refused("InvalidRequestError", lambda: openai.File.create(file=records, purpose="fine-tune"))
    assert exc.http_status == 400 and exc.param == "file", repr(exc)
    assert exc.user_message.startswith("Invalid training file: line 1"), repr(exc)


@call("File.create (a name with another extension)")
def _file_create_txt(run: Run) -> None:
    with (run.samples / "train.jsonl").open("rb") as training:
        exc = refused(
            "InvalidRequestError",
            lambda: openai.File.create(file=training, purpose="fine-tune", user_provided_filename="train.txt"),
        )
    assert exc.http_status == 400 and exc.param == "file", repr(exc)
    assert exc.user_message == "Invalid file format for fine-tune. Expected one of ['.jsonl'], got 'train.txt'."


@call("File.list")
def _file_list(run: Run) -> None:
    files = openai.File.list()
    assert run.made["file"] in [f.id for f in files.data], files


@call("File.retrieve")
def _file_retrieve(run: Run) -> None:
    stored = openai.File.retrieve(run.made["file"])
    assert stored.id == run.made["file"] and stored.purpose == "fine-tune", stored


@call("File.download")
def _file_download(run: Run) -> None:
    assert openai.File.download(run.made["file"]) == run.sample("train.jsonl")


# --- fine-tunes ----------------------------------------------------------------------------------------------


@call("FineTune.create")
def _fine_tune_create(run: Run) -> None:
    job = openai.FineTune.create(training_file=run.made["file"], model="curie")
    assert job.object == "fine-tune" and job.status == "pending" and job.model == "curie", job
    assert [f.id for f in job.training_files] == [run.made["file"]], job
    run.made["job"] = job.id


@call("FineTune.list")
def _fine_tune_list(run: Run) -> None:
    jobs = openai.FineTune.list()
    assert run.made["job"] in [j.id for j in jobs.data], jobs


@call("FineTune.stream_events")
def _fine_tune_stream_events(run: Run) -> None:
    # The stream follows the job until it ends.
    messages = [e.message for e in openai.FineTune.stream_events(run.made["job"])]
    assert messages[0].startswith("Created fine-tune") and messages[-1] == "Job succeeded.", messages


@call("FineTune.retrieve")
def _fine_tune_retrieve(run: Run) -> None:
    job = openai.FineTune.retrieve(run.made["job"])
    assert job.id == run.made["job"] and job.status == "succeeded" and job.fine_tuned_model, job
    run.made["model"] = job.fine_tuned_model


@call("FineTune.list_events")
def _fine_tune_list_events(run: Run) -> None:
    events = openai.FineTune.list_events(id=run.made["job"])
    assert [e.message for e in events.data][-1] == "Job succeeded.", events


@call("FineTune.cancel")
def _fine_tune_cancel(run: Run) -> None:
    job = openai.FineTune.create(training_file=run.made["file"])
    cancelled = openai.FineTune.cancel(id=job.id)
    assert cancelled.id == job.id and cancelled.status == "cancelled", cancelled
    assert openai.FineTune.retrieve(job.id).status == "cancelled"


@call("FineTune.create (an unknown model)")
def _fine_tune_create_unknown(run: Run) -> None:
    exc = refused("InvalidRequestError", lambda: openai.FineTune.create(training_file=run.made["file"], model="nope"))
    assert exc.http_status == 404 and exc.code == "model_not_found", repr(exc)


@call("Model.retrieve (a fine-tuned model)")
def _model_retrieve_fine_tuned(run: Run) -> None:
    model = openai.Model.retrieve(run.made["model"])
    assert model.id == run.made["model"] and model.owned_by == "org-a", model


@call("Model.delete")
def _model_delete(run: Run) -> None:
    deleted = openai.Model.delete(run.made["model"])
    assert deleted.id == run.made["model"] and deleted.deleted is True, deleted
    refused("InvalidRequestError", lambda: openai.Model.retrieve(run.made["model"]))


@call("File.delete")
def _file_delete(run: Run) -> None:
    deleted = openai.File.delete(run.made["file"])
    assert deleted.id == run.made["file"] and deleted.deleted is True, deleted


@call("File.retrieve (a deleted file)")
def _file_retrieve_deleted(run: Run) -> None:
    exc = refused("InvalidRequestError", lambda: openai.File.retrieve(run.made["file"]))
    assert exc.http_status == 404 and exc.param == "id", repr(exc)
    assert exc.user_message == f"No such File object: {run.made['file']}", repr(exc)


@call("Model.list (a wrong key)")
def _wrong_key(run: Run) -> None:
    exc = refused("AuthenticationError", lambda: openai.Model.list(api_key=WRONG_KEY))
    # openai 0.28 keeps the code of a 401 in the error object only.
    assert exc.http_status == 401 and exc.error.code == "invalid_api_key", repr(exc)
    assert exc.user_message.startswith("Incorrect API key provided: sk-wr***ab."), repr(exc)


def main(url: str, key: str, samples: str) -> list[dict[str, str | None]]:
    assert openai.version.VERSION == EXPECTED_VERSION, openai.version.VERSION
    openai.api_base = url
    openai.api_key = key
    openai.organization = None
    run = Run(Path(samples))
    results: list[dict[str, str | None]] = []
    for name, function in CALLS:
        started = time.monotonic()
        try:
            function(run)
        except Exception as exc:  # every call's failure is reported, and the next call runs
            problem = "".join(traceback.format_exception_only(exc)).strip()
            results.append({"call": name, "error": problem, "where": traceback.format_exc(limit=-2)})
        else:
            results.append({"call": name, "error": None, "where": None})
        results[-1]["seconds"] = f"{time.monotonic() - started:.2f}"
    return results


if __name__ == "__main__":
    json.dump(main(*sys.argv[1:4]), sys.stdout, indent=1)
