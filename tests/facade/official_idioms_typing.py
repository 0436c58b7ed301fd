"""Code written the way the official ``openai`` package documents it, as plain functions for ``mypy --strict``.

Not tests: ``test_official_idioms.py`` type-checks this file as it is and on a copy where only the import line is
``import openai_api as openai``, and holds our error count to the official package's. Keep the one
``import openai`` line the only mention of the package outside attribute access (``openai.OpenAI``, ...).
"""

from __future__ import annotations

import json
from pathlib import Path

import openai

MESSAGE = "Say this is a test!"


# --- the client ------------------------------------------------------------------------------------------------


def make_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="sk-test-org-a",
        base_url=base_url,
        organization="org-a",
        project="proj_123",
        default_headers={"X-Team": "search"},
        default_query={"tenant": "t-1"},
        timeout=20.0,
        max_retries=0,
    )


def make_client_from_the_environment() -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI()


def list_in_a_block(base_url: str) -> int:
    with openai.OpenAI(api_key="sk-test-org-a", base_url=base_url) as client:
        return len(client.models.list().data)


async def alist_in_a_block(base_url: str) -> int:
    async with openai.AsyncOpenAI(api_key="sk-test-org-a", base_url=base_url) as client:
        page = await client.models.list()
        return len(page.data)


def with_options(client: openai.OpenAI) -> str:
    model = client.with_options(timeout=5.0, max_retries=3).models.retrieve("gpt-3.5-turbo")
    return model.id


# --- models ----------------------------------------------------------------------------------------------------


def model_ids(client: openai.OpenAI) -> list[str]:
    return [model.id for model in client.models.list()]


def model_page(client: openai.OpenAI) -> tuple[str, list[str], bool]:
    page = client.models.list()
    return page.object, [model.object for model in page.data], page.has_next_page()


def retrieve_model(client: openai.OpenAI) -> tuple[str, str, str, str | None]:
    model = client.models.retrieve("gpt-3.5-turbo")
    return model.id, model.object, model.owned_by, model._request_id


def delete_model(client: openai.OpenAI, name: str) -> tuple[str, bool]:
    deleted = client.models.delete(name)
    return deleted.id, deleted.deleted


async def amodel_ids(client: openai.AsyncOpenAI) -> list[str]:
    return [model.id async for model in client.models.list()]


async def aretrieve_model(client: openai.AsyncOpenAI) -> str:
    model = await client.models.retrieve("whisper-1")
    return model.id


async def adelete_model(client: openai.AsyncOpenAI, name: str) -> bool:
    deleted = await client.models.delete(name)
    return deleted.deleted


# --- completions and chat --------------------------------------------------------------------------------------


def complete(client: openai.OpenAI) -> tuple[str, str, int | None]:
    completion = client.completions.create(
        model="text-davinci-003", prompt="Say this is a test", max_tokens=7, temperature=0
    )
    tokens = completion.usage.total_tokens if completion.usage else None
    return completion.choices[0].text, completion.object, tokens


def stream_completion(client: openai.OpenAI) -> str:
    stream = client.completions.create(model="text-davinci-003", prompt="Say this is a test", stream=True)
    return "".join(chunk.choices[0].text for chunk in stream)


def chat(client: openai.OpenAI) -> tuple[str | None, str]:
    completion = client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": MESSAGE},
        ],
    )
    return completion.choices[0].message.content, completion.choices[0].message.role


def stream_chat(client: openai.OpenAI) -> str:
    stream = client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}], stream=True
    )
    pieces = []
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
    return "".join(pieces)


def stream_chat_in_a_block(client: openai.OpenAI) -> str:
    pieces = []
    with client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}], stream=True
    ) as stream:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
    return "".join(pieces)


async def achat(client: openai.AsyncOpenAI) -> str | None:
    completion = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}]
    )
    return completion.choices[0].message.content


async def astream_chat(client: openai.AsyncOpenAI) -> str:
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}], stream=True
    )
    pieces = []
    async with stream:
        async for chunk in stream:
            if chunk.choices:
                pieces.append(chunk.choices[0].delta.content or "")
    return "".join(pieces)


async def astream_completion(client: openai.AsyncOpenAI) -> str:
    stream = await client.completions.create(model="text-davinci-003", prompt="Say this is a test", stream=True)
    return "".join([chunk.choices[0].text async for chunk in stream])


# --- images, embeddings, audio ---------------------------------------------------------------------------------


def generate_images(client: openai.OpenAI) -> list[str | None]:
    response = client.images.generate(prompt="A cute baby sea otter", n=2, size="1024x1024")
    return [image.url for image in response.data or []]


def edit_image(client: openai.OpenAI, path: Path) -> str | None:
    with open(path, "rb") as image:
        response = client.images.edit(image=image, prompt="A beret", response_format="b64_json")
    return (response.data or [])[0].b64_json


def vary_image(client: openai.OpenAI, path: Path) -> int:
    response = client.images.create_variation(image=path, n=2, size="256x256")
    return len(response.data or [])


async def agenerate_images(client: openai.AsyncOpenAI) -> int:
    response = await client.images.generate(prompt="A cute baby sea otter")
    return len(response.data or [])


def embed(client: openai.OpenAI) -> tuple[list[float], str, int]:
    response = client.embeddings.create(model="text-embedding-ada-002", input="The food was delicious")
    return response.data[0].embedding, response.model, response.usage.prompt_tokens


async def aembed(client: openai.AsyncOpenAI) -> list[list[float]]:
    response = await client.embeddings.create(model="text-embedding-ada-002", input=["one", "two"])
    return [item.embedding for item in response.data]


def transcribe(client: openai.OpenAI, path: Path) -> str:
    with open(path, "rb") as audio_file:
        transcription = client.audio.transcriptions.create(model="whisper-1", file=audio_file)
    return transcription.text


def transcribe_to_text(client: openai.OpenAI, path: Path) -> str:
    return client.audio.transcriptions.create(model="whisper-1", file=path, response_format="text")


def translate(client: openai.OpenAI, path: Path) -> str:
    translation = client.audio.translations.create(model="whisper-1", file=path)
    return translation.text


async def atranscribe(client: openai.AsyncOpenAI, path: Path) -> str:
    transcription = await client.audio.transcriptions.create(model="whisper-1", file=path)
    return transcription.text


# --- files -----------------------------------------------------------------------------------------------------


def upload(client: openai.OpenAI, path: Path) -> tuple[str, int, str, str]:
    file = client.files.create(file=path, purpose="fine-tune")
    return file.id, file.bytes, file.filename, file.object


def upload_a_tuple(client: openai.OpenAI, content: bytes) -> str:
    file = client.files.create(file=("train.jsonl", content, "application/jsonl"), purpose="fine-tune")
    return client.files.retrieve(file.id).filename


def delete_file(client: openai.OpenAI, file_id: str) -> bool:
    deleted = client.files.delete(file_id)
    return deleted.deleted


def file_names(client: openai.OpenAI) -> list[str]:
    names = []
    for file in client.files.list(limit=2):
        names.append(file.filename)
    return names


def pages_of_files(client: openai.OpenAI) -> tuple[int, bool | None, bool, list[str]]:
    page = client.files.list(limit=1)
    has_more = page.has_more
    if page.has_next_page():
        next_page = page.get_next_page()
        print(next_page.data[0].id)
    return len(page.data), has_more, page.next_page_info() is not None, [p.data[0].id for p in page.iter_pages()]


async def afile_names(client: openai.AsyncOpenAI) -> list[str]:
    return [file.filename async for file in client.files.list(limit=2)]


async def apages_of_files(client: openai.AsyncOpenAI) -> list[int]:
    page = await client.files.list(limit=1)
    if page.has_next_page():
        next_page = await page.get_next_page()
        print(next_page.data)
    return [len(p.data) async for p in page.iter_pages()]


async def aupload_and_delete(client: openai.AsyncOpenAI, path: Path) -> bool:
    file = await client.files.create(file=path, purpose="fine-tune")
    retrieved = await client.files.retrieve(file.id)
    deleted = await client.files.delete(retrieved.id)
    return deleted.deleted


def download(client: openai.OpenAI, file_id: str, path: Path) -> tuple[bytes, bytes, str, bytes]:
    content = client.files.content(file_id)
    content.write_to_file(path)
    return content.content, content.read(), content.text, b"".join(content.iter_bytes())


async def adownload(client: openai.AsyncOpenAI, file_id: str, path: Path) -> bytes:
    content = await client.files.content(file_id)
    content.write_to_file(path)
    return await content.aread()


# --- raw responses ---------------------------------------------------------------------------------------------


def raw_retrieve(client: openai.OpenAI, file_id: str) -> tuple[int, str | None, str | None, str, str]:
    response = client.files.with_raw_response.retrieve(file_id)
    file = response.parse()
    return (
        response.status_code,
        response.headers.get("x-request-id"),
        response.request_id,
        response.http_request.method,
        file.id,
    )


def raw_chat(client: openai.OpenAI) -> str | None:
    response = client.chat.completions.with_raw_response.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}]
    )
    print(response.headers.get("X-My-Header"))
    completion = response.parse()
    return completion.choices[0].message.content


def streamed_lines(client: openai.OpenAI) -> list[str]:
    with client.chat.completions.with_streaming_response.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}], stream=True
    ) as response:
        print(response.headers.get("content-type"))
        return list(response.iter_lines())


def streamed_parse(client: openai.OpenAI) -> str | None:
    with client.chat.completions.with_streaming_response.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}]
    ) as response:
        completion = response.parse()
    return completion.choices[0].message.content


def streamed_download(client: openai.OpenAI, file_id: str, path: Path) -> bytes:
    with client.files.with_streaming_response.content(file_id) as response:
        response.stream_to_file(path)
    with client.files.with_streaming_response.content(file_id) as response:
        return b"".join(response.iter_bytes())


async def araw_retrieve(client: openai.AsyncOpenAI, file_id: str) -> tuple[int, str]:
    response = await client.files.with_raw_response.retrieve(file_id)
    return response.status_code, response.parse().id


async def astreamed_lines(client: openai.AsyncOpenAI) -> list[str]:
    async with client.chat.completions.with_streaming_response.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}], stream=True
    ) as response:
        return [line async for line in response.iter_lines()]


# --- per-call options and results ------------------------------------------------------------------------------


def per_call_options(client: openai.OpenAI, path: Path) -> None:
    client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=[{"role": "user", "content": MESSAGE}],
        extra_headers={"X-Trace": "t-1"},
        extra_query={"trace": "q-1"},
        extra_body={"user": "user-1234"},
        timeout=20.0,
    )
    client.models.retrieve("gpt-3.5-turbo", extra_headers={"X-Trace": "t-2"}, extra_query={"trace": "q-2"}, timeout=5)
    file = client.files.create(file=path, purpose="fine-tune", extra_headers={"X-Trace": "t-3"}, timeout=20.0)
    client.files.content(file.id, extra_headers={"X-Trace": "t-4"}, extra_query={"trace": "q-4"}, timeout=20.0)
    for _ in client.files.list(limit=1, extra_query={"trace": "q-5"}, timeout=20.0):
        pass
    client.files.delete(file.id, extra_headers={"X-Trace": "t-6"}, timeout=20.0)


def serialized(client: openai.OpenAI) -> tuple[object, str | None]:
    completion = client.chat.completions.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": MESSAGE}])
    assert json.loads(completion.to_json()) == completion.to_dict()
    return completion.to_dict()["model"], completion._request_id


# --- errors ----------------------------------------------------------------------------------------------------


def not_found(client: openai.OpenAI) -> tuple[int, object, str | None, int] | None:
    try:
        client.files.retrieve("file-missing")
    except openai.NotFoundError as exc:
        return exc.status_code, exc.body, exc.request_id, exc.response.status_code
    return None


def error_chain(client: openai.OpenAI) -> str:
    try:
        client.with_options(max_retries=0).models.list()
    except openai.APIConnectionError as exc:
        return f"The server could not be reached: {exc.__cause__}"
    except openai.RateLimitError:
        return "A 429 status code was received; we should back off a bit."
    except openai.APIStatusError as exc:
        return f"Another non-200-range status code was received: {exc.status_code} {exc.response}"
    return "ok"


def bad_key(base_url: str) -> str | None:
    client = openai.OpenAI(api_key="sk-wrong-key-1234567890ab", base_url=base_url)
    try:
        client.models.list()
    except openai.AuthenticationError as exc:
        return exc.code
    return None


def timed_out(client: openai.OpenAI) -> bool:
    try:
        client.with_options(timeout=0.3, max_retries=0).models.list()
    except openai.APITimeoutError:
        return True
    return False


async def anot_found(client: openai.AsyncOpenAI) -> str | None:
    try:
        await client.models.retrieve("gpt-nope")
    except openai.NotFoundError as exc:
        return exc.code
    return None
