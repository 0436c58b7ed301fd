"""Layer 3: end-to-end flows through the client against the real, stateful test server on 127.0.0.1.

Every exchange is validated by the server against the spec with openapi-core (the ``api`` fixture fails the test on
any violation), so these flows also prove the server and the client agree with the spec.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_client.api.completions import create_completion
from openai_api_client.api.edits import create_edit
from openai_api_client.api.embeddings import create_embedding
from openai_api_client.api.files import delete_file, list_files, retrieve_file
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
    CreateCompletionRequest,
    CreateEditRequest,
    CreateEmbeddingRequest,
    CreateFineTuneRequest,
    CreateImageRequest,
)
from openai_api_server import Fault, RunningServer
from tests.helpers.clients import FAST, afacade, download, facade

KEY_A, KEY_B = "sk-test-org-a", "sk-test-org-b"
TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n' * 3
CHAT: dict[str, Any] = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Say this is a test!"}]}


def client(api: RunningServer, key: str = KEY_A, **kwargs: Any) -> OpenAIClient:
    kwargs.setdefault("retry_policy", FAST)
    return _create_client(api_key=key, base_url=api.url, **kwargs)


def aclient(api: RunningServer, key: str = KEY_A) -> OpenAIClient:
    return _create_client(is_async=True, api_key=key, base_url=api.url, retry_policy=FAST)


def upload(c: OpenAIClient, name: str = "train.jsonl", content: bytes = TRAINING, purpose: str = "fine-tune") -> Any:
    return facade(c).files.create(file=(name, content, "application/jsonl"), purpose=purpose)


# --- flows ---------------------------------------------------------------------------------------------------


def test_file_lifecycle(api: RunningServer, tmp_path: Path) -> None:
    c = client(api)
    created = [upload(c, f"part{i}.jsonl") for i in range(5)]
    assert [f.id for f in facade(c).files.list(limit=2, order="asc")] == [f.id for f in created]
    assert [f.id for f in facade(c).files.list(limit=2)] == [f.id for f in reversed(created)]
    first = created[0]
    assert oa.call(retrieve_file.sync_detailed, client=c, file_id=first.id).filename == "part0.jsonl"
    target = tmp_path / "copy.jsonl"
    download(c, first.id, target)
    assert target.read_bytes() == TRAINING
    deleted = oa.call(delete_file.sync_detailed, client=c, file_id=first.id)
    assert deleted.deleted is True
    with pytest.raises(oa.NotFoundError, match="No such File object"):
        oa.call(retrieve_file.sync_detailed, client=c, file_id=first.id)
    with pytest.raises(oa.NotFoundError):
        facade(c).files.content(first.id)


async def test_file_lifecycle_async(api: RunningServer) -> None:
    c = aclient(api)
    created = await afacade(c).files.create(file=("a.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    assert [f.id async for f in afacade(c).files.list(limit=1)] == [created.id]
    assert (await afacade(c).files.content(created.id)).content == TRAINING
    assert (await oa.acall(delete_file.asyncio_detailed, client=c, file_id=created.id)).deleted is True


def test_listing_by_purpose(api: RunningServer) -> None:
    c = client(api)
    upload(c, "a.jsonl")
    upload(c, "notes.txt", b"hello", purpose="assistants")
    assert [f.filename for f in facade(c).files.list(purpose="assistants").data] == ["notes.txt"]


def test_chat_and_completion(api: RunningServer) -> None:
    c = client(api)
    with facade(c).chat.completions.stream(**CHAT) as stream:
        assert oa.accumulate_chat(stream).choices[0].message.content == "This is a test!"
    body = CreateCompletionRequest.from_dict({"model": "text-davinci-003", "prompt": "Say this is a test"})
    completion = oa.call(create_completion.sync_detailed, client=c, body=body)
    assert completion.choices[0].text == "This is indeed a test"
    texts = [
        chunk.choices[0].text
        for chunk in facade(c).completions.stream(model="text-davinci-003", prompt="Say this is a test")
    ]
    assert "".join(texts) == "This is indeed a test"


async def test_chat_stream_async(api: RunningServer) -> None:
    async with afacade(aclient(api)).chat.completions.stream(**CHAT) as stream:
        chunks = [chunk async for chunk in stream]
    assert oa.accumulate_chat(chunks).choices[0].message.content == "This is a test!"


def test_fine_tune_flow(api: RunningServer) -> None:
    c = client(api)
    training = upload(c)
    job = oa.call(create_fine_tune.sync_detailed, client=c, body=CreateFineTuneRequest(training_file=training.id))
    assert job.status == "pending"
    with facade(c).fine_tunes.stream_events(job.id) as events:
        messages = [event.message for event in events]
    assert messages[0].startswith("Created fine-tune") and messages[-1] == "Job succeeded."
    done = oa.call(retrieve_fine_tune.sync_detailed, client=c, fine_tune_id=job.id)
    assert done.status == "succeeded" and isinstance(done.fine_tuned_model, str)
    assert [j.id for j in oa.call(list_fine_tunes.sync_detailed, client=c).data] == [job.id]
    listed = oa.call(list_fine_tune_events.sync_detailed, client=c, fine_tune_id=job.id)
    assert [e.message for e in listed.data] == messages
    model = done.fine_tuned_model
    assert oa.call(retrieve_model.sync_detailed, client=c, model=model).owned_by == "org-a"
    assert oa.call(delete_model.sync_detailed, client=c, model=model).deleted is True
    assert oa.call(cancel_fine_tune.sync_detailed, client=c, fine_tune_id=job.id).status == "succeeded"


def test_fine_tune_cancelled_while_streaming(tmp_path: Path) -> None:
    from openai_api_server import running

    with running(fine_tune_step=0.3) as api:
        c = client(api)
        job = oa.call(create_fine_tune.sync_detailed, client=c, body=CreateFineTuneRequest(training_file=upload(c).id))
        messages = []
        for event in facade(c).fine_tunes.stream_events(job.id):
            messages.append(event.message)
            if len(messages) == 1:
                cancelled = oa.call(cancel_fine_tune.sync_detailed, client=c, fine_tune_id=job.id)
                assert cancelled.status == "cancelled"
        assert messages[-1] == "Job cancelled."
        assert api.state.violations == []


def test_fine_tune_needs_a_fine_tune_file(api: RunningServer) -> None:
    c = client(api)
    notes = upload(c, "notes.txt", b"x", purpose="assistants")
    with pytest.raises(oa.NotFoundError) as info:
        oa.call(create_fine_tune.sync_detailed, client=c, body=CreateFineTuneRequest(training_file=notes.id))
    assert info.value.param == "training_file"


def test_models_embeddings_edits_images(api: RunningServer) -> None:
    c = client(api)
    assert "gpt-3.5-turbo" in [m.id for m in oa.call(list_models.sync_detailed, client=c).data]
    with pytest.raises(oa.NotFoundError):
        oa.call(retrieve_model.sync_detailed, client=c, model="no-such-model")
    body = CreateEmbeddingRequest.from_dict({"model": "text-embedding-ada-002", "input": ["a", "b"]})
    assert len(oa.call(create_embedding.sync_detailed, client=c, body=body).data) == 2
    edit = CreateEditRequest(model="text-davinci-edit-001", instruction="Fix", input_="What day of the wek is it?")
    assert oa.call(create_edit.sync_detailed, client=c, body=edit).choices[0].text == "What day of the week is it?"
    image = CreateImageRequest(prompt="A cute baby sea otter", n=2, size="1024x1024")
    assert len(oa.call(create_image.sync_detailed, client=c, body=image).data) == 2
    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (4).to_bytes(4, "big") * 2 + b"\x08\x06\0\0\0" + b"\0" * 8
    edited = facade(c).images.edit(image=("otter.png", png, "image/png"), prompt="a beret", response_format="b64_json")
    assert edited.data[0].b64_json
    assert len(facade(c).images.create_variation(image=("otter.png", png, "image/png"), n=3).data) == 3


@pytest.mark.parametrize("response_format", ["json", "text", "srt", "verbose_json", "vtt"])
def test_audio_in_each_format(api: RunningServer, response_format: str) -> None:
    c = client(api)
    audio = ("speech.mp3", b"ID3\x03\0\0\0", "audio/mpeg")
    result = facade(c).audio.transcriptions.create(file=audio, model="whisper-1", response_format=response_format)
    translated = facade(c).audio.translations.create(file=audio, model="whisper-1", response_format=response_format)
    if response_format in ("text", "srt", "vtt"):
        assert isinstance(result, str) and isinstance(translated, str) and "wildest idea" in result
    else:
        assert not isinstance(result, str) and "wildest idea" in result.text
        assert not isinstance(translated, str)


def test_listing_through_the_gateway_path(api: RunningServer) -> None:
    c = client(api, gateway=True)
    made = upload(c)
    assert [f.id for f in facade(c).files.list().data] == [made.id]
    assert c.shared.gateway_paths == {"GET /files": "/files%2520_"}


def test_a_gateway_without_the_quirk_falls_back(plain_gateway: RunningServer) -> None:
    c = client(plain_gateway, gateway=True)
    made = upload(c)
    assert [f.id for f in facade(c).files.list().data] == [made.id]
    assert c.shared.gateway_paths == {"GET /files": "/files"}


# --- security --------------------------------------------------------------------------------------------------


def test_no_key_or_a_wrong_key_is_401(api: RunningServer) -> None:
    assert httpx.get(api.url + "/models").status_code == 401
    with pytest.raises(oa.AuthenticationError, match="Incorrect API key"):
        oa.call(list_models.sync_detailed, client=client(api, "sk-wrong"))


def test_files_belong_to_their_organisation(api: RunningServer) -> None:
    mine = upload(client(api, KEY_A))
    other = client(api, KEY_B)
    assert facade(other).files.list().data == []
    for call in (
        lambda: oa.call(retrieve_file.sync_detailed, client=other, file_id=mine.id),
        lambda: oa.call(delete_file.sync_detailed, client=other, file_id=mine.id),
        lambda: facade(other).files.content(mine.id).content,
    ):
        with pytest.raises(oa.NotFoundError):
            call()
    assert oa.call(retrieve_file.sync_detailed, client=client(api), file_id=mine.id).id == mine.id


def test_hostile_filenames_are_stored_safely(api: RunningServer) -> None:
    c = client(api)
    stored = upload(c, "../../etc/pass\x00wd\r\n.jsonl")  # httpx escapes the control characters itself
    assert stored.filename == "pass%00wd%0D%0A.jsonl"
    # Raw bytes, as a hostile client could send them: traversal and control characters in the part header.
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="..\\../ev\x01il\x7f.jsonl"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + TRAINING
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Authorization": f"Bearer {KEY_A}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    raw = httpx.post(api.url + "/files", content=body, headers=headers)
    assert raw.status_code == 200 and raw.json()["filename"] == "evil.jsonl"
    root = api.config.data_dir
    assert sorted(p.name for p in (root / "files").iterdir()) == sorted([stored.id, raw.json()["id"]])
    assert not (root.parent / "etc").exists()


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(tmp_path: Path) -> None:
    from openai_api_server import running

    with running(max_upload_bytes=1000) as api:
        c = client(api)
        with pytest.raises(oa.APIStatusError) as info:
            upload(c, "big.jsonl", TRAINING * 100)
        assert info.value.status_code == 413
        assert api.state.store.count() == 0
        assert list((api.config.data_dir / "files").iterdir()) == []
        assert api.state.violations == []


def test_concurrent_uploads_never_mix_bytes(api: RunningServer) -> None:
    c = client(api)
    contents = [os.urandom(200_000 + i * 1000) for i in range(8)]
    results: dict[int, str] = {}

    def send(index: int) -> None:
        results[index] = facade(c).files.create(file=(f"f{index}.bin", contents[index], "x/y"), purpose="assistants").id

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(contents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, file_id in results.items():
        stored = api.state.store.get("org-a", file_id)
        assert stored is not None and stored.sha256 == hashlib.sha256(contents[index]).hexdigest()
        assert facade(c).files.content(file_id).content == contents[index]


async def test_concurrent_async_uploads(api: RunningServer) -> None:
    c = aclient(api)
    contents = [os.urandom(100_000 + i) for i in range(6)]
    made = await asyncio.gather(
        *(
            afacade(c).files.create(file=(f"a{i}.bin", data, "x/y"), purpose="assistants")
            for i, data in enumerate(contents)
        )
    )
    for item, data in zip(made, contents, strict=True):
        assert (await afacade(c).files.content(item.id)).content == data


# --- faults ----------------------------------------------------------------------------------------------------


def test_a_scripted_status_sequence_with_retry_after_is_retried(api: RunningServer) -> None:
    busy = json.dumps({"error": {"message": "busy", "type": "server_error", "param": None, "code": None}})
    api.state.faults.extend([Fault(status=429, body=busy, headers={"retry-after": "0"}), Fault(status=503, body=busy)])
    assert oa.call(list_models.sync_detailed, client=client(api)).data
    assert not api.state.faults, "both faults were answered, then the retry succeeded"


def test_an_html_502_is_a_typed_error(api: RunningServer) -> None:
    page = "<html><body>502 Bad Gateway</body></html>"
    api.state.faults.extend([Fault(status=502, body=page, content_type="text/html")] * 3)
    with pytest.raises(oa.InternalServerError) as info:
        oa.call(list_files.sync_detailed, client=client(api))
    assert info.value.body_text == page


def test_a_connection_dropped_mid_body_is_retried_then_a_typed_error(api: RunningServer) -> None:
    uploaded = upload(client(api))
    api.state.faults.append(Fault(path="/v1/files", drop_mid_body=True))
    # The body of a call that is not streamed is read inside the retry loop: the second attempt gets it whole.
    page = oa.call(list_files.sync_detailed, client=client(api))
    assert [f.id for f in page.data] == [uploaded.id]
    api.state.faults.append(Fault(path="/v1/files", drop_mid_body=True))
    with pytest.raises(oa.APIConnectionError, match=r"RemoteProtocolError|ReadError"):
        oa.call(list_files.sync_detailed, client=client(api).with_options(max_retries=0))


def test_a_stream_cut_before_done_raises(api: RunningServer) -> None:
    api.state.faults.append(Fault(path="/v1/chat", cut_stream=True))
    with pytest.raises(oa.StreamInterruptedError):
        list(facade(client(api)).chat.completions.stream(**CHAT))


def test_a_stream_dropped_mid_way_raises(api: RunningServer) -> None:
    api.state.faults.append(Fault(path="/v1/chat", drop_mid_body=True))
    with pytest.raises(oa.StreamInterruptedError):
        list(facade(client(api)).chat.completions.stream(**CHAT))


def test_slow_bytes_hit_the_read_timeout(api: RunningServer) -> None:
    api.state.faults.append(Fault(path="/v1/models", slow_bytes=0.5))
    with pytest.raises(oa.APITimeoutError):
        oa.call(list_models.sync_detailed, client=client(api, timeout=0.2, max_retries=0))
    api.state.faults.append(Fault(path="/v1/chat", slow_bytes=0.5))
    with pytest.raises(oa.StreamInterruptedError):
        list(facade(client(api)).chat.completions.stream(**CHAT, read_idle_timeout=0.2))
