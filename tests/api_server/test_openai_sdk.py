"""The server driven by the official ``openai`` package, as a user's tests would: every documented operation the
SDK still has (edits and the legacy fine-tunes through raw httpx, as the SDK dropped them), and the error bodies
the SDK turns into its typed exceptions."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from openai_api_server import Fault, RunningServer, running
from tests.api_server.uploads import AUDIO, TRAINING, png


@pytest.fixture(scope="module")
def api() -> Iterator[RunningServer]:
    with running(fine_tune_step=0.2) as server:
        yield server
        assert server.state.violations == [], server.state.violations


@pytest.fixture
def client(api: RunningServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=api.url, api_key=api.key, max_retries=0)


def test_models(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert "gpt-3.5-turbo" in ids and "whisper-1" in ids
    assert client.models.retrieve("gpt-3.5-turbo").id == "gpt-3.5-turbo"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-nope")
    assert caught.value.code == "model_not_found"
    assert caught.value.body == {
        "message": "The model `gpt-nope` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
    with pytest.raises(openai.NotFoundError):
        client.models.delete("gpt-3.5-turbo")  # a base model is not the organization's to delete


def test_completions_and_chat(client: openai.OpenAI) -> None:
    completion = client.completions.create(model="text-davinci-003", prompt="Say this is a test", n=2)
    assert [c.index for c in completion.choices] == [0, 1] and completion.choices[0].text
    messages: list[openai.types.chat.ChatCompletionMessageParam] = [{"role": "user", "content": "Say this is a test!"}]
    chat = client.chat.completions.create(model="gpt-3.5-turbo", messages=messages)
    assert chat.choices[0].message.content == "This is a test!" and chat.usage is not None
    pieces = [
        c.choices[0].delta.content or ""
        for c in client.chat.completions.create(model="gpt-3.5-turbo", messages=messages, stream=True)
    ]
    assert "".join(pieces) == "This is a test!"
    streamed = "".join(
        c.choices[0].text for c in client.completions.create(model="text-davinci-003", prompt="x", stream=True)
    )
    assert streamed == "This is indeed a test"


def test_the_sdk_raises_its_typed_errors(api: RunningServer, client: openai.OpenAI) -> None:
    messages: list[openai.types.chat.ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
    with pytest.raises(openai.NotFoundError) as not_found:
        client.chat.completions.create(model="gpt-nope", messages=messages)
    assert not_found.value.code == "model_not_found" and not_found.value.param == "model"

    wrong_key = "sk-wrong-key-1234567890ab"
    bad = openai.OpenAI(base_url=api.url, api_key=wrong_key, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as unauthorized:
        bad.models.list()
    assert unauthorized.value.code == "invalid_api_key"
    assert unauthorized.value.message.startswith("Error code: 401")
    body = unauthorized.value.body
    assert isinstance(body, dict)
    assert body["message"].startswith("Incorrect API key provided: sk-wr***ab. You can find your API key at")
    assert wrong_key not in str(unauthorized.value.response.text)

    with pytest.raises(openai.BadRequestError) as unknown:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=messages, extra_body={"bogus_param": 1})
    assert unknown.value.body == {
        "message": "Unrecognized request argument supplied: bogus_param",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.BadRequestError) as bad_order:
        client.files.list(extra_query={"order": "sideways"})
    assert bad_order.value.body == {
        "message": "'sideways' is not one of ['asc', 'desc'] - 'order'",
        "type": "invalid_request_error",
        "param": "order",
        "code": None,
    }
    with pytest.raises(openai.BadRequestError) as bad_role:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "robot", "content": "x"}])  # type: ignore[misc,list-item]
    assert bad_role.value.param == "messages[0].role"
    assert bad_role.value.message.endswith("- 'messages[0].role'")
    assert bad_role.value.request_id is not None  # from x-request-id

    api.inject(
        Fault(
            operation="listModels", status=429, body='{"error": {"message": "slow down"}}', headers={"Retry-After": "0"}
        )
    )
    with pytest.raises(openai.RateLimitError):
        client.models.list()
    api.inject(Fault(operation="listModels", status=503))
    with pytest.raises(openai.InternalServerError):
        client.models.list()
    api.inject(Fault(operation="listModels", drop_mid_body=True))
    with pytest.raises(openai.APIConnectionError):
        client.models.list()
    api.inject(Fault(operation="listModels", drop_connection=True))
    with pytest.raises(openai.APIConnectionError):
        client.models.list()
    assert client.models.list().data  # the faults were used up


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks image variations deprecated
def test_images(client: openai.OpenAI) -> None:
    generated = client.images.generate(prompt="an otter", n=2).data or []
    assert generated[1].url
    edit = client.images.edit(image=("otter.png", png(4, 4), "image/png"), prompt="a beret", response_format="b64_json")
    assert (edit.data or [])[0].b64_json
    variation = client.images.create_variation(image=("otter.png", png(8, 8), "image/png"), n=3)
    assert len(variation.data or []) == 3
    with pytest.raises(openai.BadRequestError) as not_square:
        client.images.create_variation(image=("wide.png", png(64, 32), "image/png"))
    assert not_square.value.param == "image" and "square" in not_square.value.message
    with pytest.raises(openai.BadRequestError) as not_png:
        client.images.edit(image=("otter.png", b"not a png", "image/png"), prompt="x")
    assert not_png.value.param == "image"


def test_embeddings(client: openai.OpenAI) -> None:
    result = client.embeddings.create(model="text-embedding-ada-002", input=["one", "two"])
    assert [d.index for d in result.data] == [0, 1] and len(result.data[0].embedding) == 8
    with pytest.raises(openai.NotFoundError) as missing:
        client.embeddings.create(model="embed-nope", input="x")
    assert missing.value.code == "model_not_found"


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks translations deprecated
def test_audio(client: openai.OpenAI) -> None:
    text = client.audio.transcriptions.create(model="whisper-1", file=("speech.mp3", AUDIO, "audio/mpeg"))
    assert text.text.startswith("Imagine")
    srt = client.audio.translations.create(model="whisper-1", file=("speech.mp3", AUDIO), response_format="srt")
    assert "-->" in str(srt)
    with pytest.raises(openai.BadRequestError) as wrong_format:
        client.audio.transcriptions.create(model="whisper-1", file=("speech.txt", b"words", "text/plain"))
    assert wrong_format.value.param == "file" and "Invalid file format" in wrong_format.value.message


def test_files(client: openai.OpenAI) -> None:
    made = client.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune")
    assert made.bytes == len(TRAINING) and made.filename == "train.jsonl"
    assert made.id in [f.id for f in client.files.list(purpose="fine-tune")]
    assert client.files.retrieve(made.id).purpose == "fine-tune"
    assert client.files.content(made.id).read() == TRAINING
    assert client.files.delete(made.id).deleted is True
    with pytest.raises(openai.NotFoundError) as gone:
        client.files.retrieve(made.id)
    assert gone.value.body == {
        "message": f"No such File object: {made.id}",
        "type": "invalid_request_error",
        "param": "id",
        "code": None,
    }
    with pytest.raises(openai.BadRequestError) as not_jsonl:
        client.files.create(file=("notes.txt", TRAINING), purpose="fine-tune")
    assert not_jsonl.value.param == "file" and ".jsonl" in not_jsonl.value.message
    with pytest.raises(openai.BadRequestError) as bad_batch:
        client.files.create(file=("notes.txt", b"{}"), purpose="batch")
    assert bad_batch.value.param == "file"
    with pytest.raises(openai.BadRequestError) as bad_purpose:
        client.files.create(file=("train.jsonl", TRAINING), purpose="bogus")  # type: ignore[arg-type]
    assert bad_purpose.value.param == "purpose"
    assert (
        bad_purpose.value.message == "Error code: 400 - 'bogus' is not one of "
        "['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'"
    )


def test_edits_and_fine_tunes_over_raw_httpx(api: RunningServer, client: openai.OpenAI) -> None:
    """The SDK dropped edits and the legacy fine-tunes; a user's test reaches them through the SDK's raw calls."""
    edit = client.post(
        "/edits",
        body={
            "model": "text-davinci-edit-001",
            "input": "What day of the wek is it?",
            "instruction": "Fix the spelling mistakes",
        },
        cast_to=httpx.Response,
    )
    assert edit.json()["choices"][0]["text"] == "What day of the week is it?"
    training = client.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune").id
    headers = {"Authorization": f"Bearer {api.key}"}
    with httpx.Client(base_url=api.url, headers=headers, timeout=10) as http:
        job = http.post("/fine-tunes", json={"training_file": training, "model": "curie"}).json()
        assert job["status"] == "pending"
        deadline = time.monotonic() + 5
        while http.get(f"/fine-tunes/{job['id']}").json()["status"] != "succeeded":
            assert time.monotonic() < deadline, "the job did not progress"
            time.sleep(0.05)
        finished = http.get(f"/fine-tunes/{job['id']}").json()
        assert client.models.retrieve(finished["fine_tuned_model"]).owned_by == "org-a"
        events = http.get(f"/fine-tunes/{job['id']}/events").json()["data"]
        assert [e["message"] for e in events][-1] == "Job succeeded."
        unknown_model = http.post("/fine-tunes", json={"training_file": training, "model": "nope"})
        assert unknown_model.status_code == 404 and unknown_model.json()["error"]["code"] == "model_not_found"
