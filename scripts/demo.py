"""The demo of the main job: the regenerated client against the local test server, end to end.

Run by scripts/demo.sh after `python -m generator`. The server is openai_api_server (the one the tests use), started on
a free 127.0.0.1 port; nothing leaves the machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import openai_api as oa
from openai_api_server import running

TRAINING = b"".join(b'{"prompt": "Question %d ->", "completion": " answer %d"}\n' % (i, i) for i in range(200))


def main() -> None:
    with running() as server, tempfile.TemporaryDirectory() as tmp:
        print(f"test server at {server.url}")
        client = oa.OpenAI(api_key="sk-test-org-a", base_url=server.url)
        models = client.models.list()
        print(f"models: {', '.join(m.id for m in models.data[:5])}, ...")

        path = Path(tmp) / "train.jsonl"
        path.write_bytes(TRAINING)
        uploaded = client.files.create(file=path, purpose="fine-tune")
        print(f"uploaded {uploaded.id} ({uploaded.bytes_} bytes, purpose {uploaded.purpose})")
        for index in range(3):
            client.files.create(file=(f"notes{index}.txt", b"notes", "text/plain"), purpose="assistants")
        print("every file, two per page:", [f.filename for f in client.files.list(limit=2)])

        print("chat, streamed: ", end="")
        messages: list[Any] = [{"role": "user", "content": "Say this is a test!"}]
        with client.chat.completions.stream(model="gpt-3.5-turbo", messages=messages) as stream:
            for chunk in stream:
                content = chunk.choices[0].delta.content if chunk.choices else None
                print(content if isinstance(content, str) else "", end="", flush=True)
        print()

        job = client.fine_tunes.create(training_file=uploaded.id)
        print(f"fine-tune {job.id}:")
        with client.fine_tunes.stream_events(job.id) as events:
            for event in events:
                print(f"  [{event.level}] {event.message}")

        count = len(client.files.list_gateway().data)
        print(f"the gateway's own list path (files.list_gateway): {count} files")

        copy = Path(tmp) / "copy.jsonl"
        with client.files.with_streaming_response.content(uploaded.id) as response:
            response.stream_to_file(copy)
        print(f"downloaded {copy.stat().st_size} bytes, identical: {copy.read_bytes() == TRAINING}")

        try:
            client.files.retrieve("file-missing")
        except oa.NotFoundError as exc:
            print(f"a typed error: {type(exc).__name__}: {exc}")

        bad = Path(tmp) / "bad.jsonl"
        bad.write_text('{"prompt": "ok", "completion": "ok"}\n{"prompt": "no completion"}\nnot json\n')
        try:
            client.files.create(file=bad, purpose="fine-tune")
        except oa.InvalidFileError as exc:
            print(f"checked before sending:\n{exc}")
        assert server.state.violations == [], server.state.violations
        print("every exchange matched spec/openapi.yaml")


if __name__ == "__main__":
    main()
