"""The twelve everyday tasks of issue 13, written the way the README teaches, against the local test server.

Each test is the task's code (between ``# task`` and ``# check``) followed by what proves it worked. The file is
checked by ``mypy --strict`` (scripts/test.sh): plain strings for enums, plain dicts for messages, one import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import openai_api as oa

TRAINING = b'{"prompt": "Say this is a test", "completion": " This is a test"}\n'


def test_list_models(client: oa.OpenAI) -> None:
    # task
    models = client.models.list()
    names = [model.id for model in models.data]
    # check
    assert "gpt-3.5-turbo" in names


def test_chat(client: oa.OpenAI) -> None:
    # task
    completion = client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Say this is a test!"}]
    )
    answer = completion.choices[0].message.content
    # check
    assert answer == "This is a test!"


def test_streamed_chat(client: oa.OpenAI) -> None:
    # task
    pieces = []
    with client.chat.completions.stream(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Say this is a test!"}]
    ) as stream:
        for chunk in stream:
            pieces.append(chunk.choices[0].delta.content or "")
    # check
    assert "".join(str(piece) for piece in pieces) == "This is a test!"


def test_upload_a_fine_tune_jsonl(client: oa.OpenAI, tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_bytes(TRAINING * 3)
    # task
    uploaded = client.files.create(file=tmp_path / "train.jsonl", purpose="fine-tune")
    # check
    assert (uploaded.filename, uploaded.purpose, uploaded.bytes_) == ("train.jsonl", "fine-tune", len(TRAINING) * 3)


def test_list_by_purpose_over_all_pages(client: oa.OpenAI) -> None:
    for index in range(5):
        client.files.create(file=(f"t{index}.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune")
    client.files.create(file=("notes.jsonl", TRAINING, "application/jsonl"), purpose="batch")
    # task
    names = [f.filename for f in client.files.list(purpose="fine-tune", limit=2)]
    # check
    assert sorted(names) == [f"t{index}.jsonl" for index in range(5)]


def test_download(client: oa.OpenAI, tmp_path: Path) -> None:
    file_id = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune").id
    # task
    content = client.files.content(file_id)
    content.write_to_file(tmp_path / "copy.jsonl")
    # check
    assert (tmp_path / "copy.jsonl").read_bytes() == TRAINING


def test_delete(client: oa.OpenAI) -> None:
    file_id = client.files.create(file=("train.jsonl", TRAINING, "application/jsonl"), purpose="fine-tune").id
    # task
    deleted = client.files.delete(file_id)
    # check
    assert deleted.deleted is True
    with pytest.raises(oa.NotFoundError):
        client.files.retrieve(file_id)


def test_embeddings_for_three_strings(client: oa.OpenAI) -> None:
    # task
    result = client.embeddings.create(model="text-embedding-ada-002", input=["one", "two", "three"])
    vectors = [item.embedding for item in result.data]
    # check
    assert len(vectors) == 3 and all(vectors)


def test_image_generation(client: oa.OpenAI) -> None:
    # task
    images = client.images.generate(prompt="A cute baby sea otter", n=2, size="1024x1024")
    urls = [image.url for image in images.data]
    # check
    assert len(urls) == 2 and all(isinstance(url, str) for url in urls)


def test_transcription(client: oa.OpenAI, tmp_path: Path) -> None:
    (tmp_path / "speech.mp3").write_bytes(b"ID3 not really audio")
    # task
    transcript = client.audio.transcriptions.create(file=tmp_path / "speech.mp3", model="whisper-1")
    text = transcript if isinstance(transcript, str) else transcript.text
    # check
    assert text.startswith("Imagine the wildest idea")


def test_handling_a_404_and_a_429(client: oa.OpenAI, fail_next: Callable[[str, int], None]) -> None:
    fail_next("/v1/models", 429)
    # task
    try:
        client.files.retrieve("file-missing")
    except oa.NotFoundError as exc:
        missing = exc.status_code
    try:
        client.with_options(max_retries=0).models.list()
    except oa.RateLimitError as exc:
        limited = exc.status_code
    # check
    assert (missing, limited) == (404, 429)


def test_a_per_call_timeout(client: oa.OpenAI, slow_next: Callable[[str, float], None]) -> None:
    slow_next("/v1/models", 2.0)
    # task
    try:
        client.with_options(timeout=0.3, max_retries=0).models.list()
    except oa.APITimeoutError:
        timed_out = True
    # check
    assert timed_out
    assert client.models.list().data  # the client itself keeps its own timeout
