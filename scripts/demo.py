"""The demo of the main job: the regenerated client against the local test server, end to end.

Run by scripts/demo.sh after `python -m generator`. The server is openai_api_server (the one the tests use), started on
a free 127.0.0.1 port; nothing leaves the machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import openai_api_overrides as oa
from openai_api_client.api.files import retrieve_file
from openai_api_client.api.fine_tunes import create_fine_tune
from openai_api_client.api.models import list_models
from openai_api_client.models import CreateFineTuneRequest
from openai_api_server import running

TRAINING = b"".join(b'{"prompt": "Question %d ->", "completion": " answer %d"}\n' % (i, i) for i in range(200))


def main() -> None:
    with running() as server, tempfile.TemporaryDirectory() as tmp:
        print(f"test server at {server.url}")
        client = oa.create_client(api_key="sk-test-org-a", base_url=server.url)
        models = oa.call(list_models.sync_detailed, client=client)
        print(f"models: {', '.join(m.id for m in models.data[:5])}, ...")

        path = Path(tmp) / "train.jsonl"
        path.write_bytes(TRAINING)
        uploaded = oa.upload_file(
            client,
            path,
            purpose="fine-tune",
            progress=lambda done, total: print(f"\r  uploading {done}/{total} bytes", end=""),
        )
        print(f"\nuploaded {uploaded.id} ({uploaded.bytes_} bytes, purpose {uploaded.purpose})")
        for index in range(3):
            oa.upload_file(client, (f"notes{index}.txt", b"notes", "text/plain"), purpose="assistants")
        print("every file, two per page:", [f.filename for f in oa.iter_files(client, limit=2)])

        print("chat, streamed: ", end="")
        with oa.stream_chat_completion(
            client, {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Say this is a test!"}]}
        ) as stream:
            for chunk in stream:
                content = chunk.choices[0].delta.content if chunk.choices else None
                print(content if isinstance(content, str) else "", end="", flush=True)
        print()

        job = oa.call(
            create_fine_tune.sync_detailed, client=client, body=CreateFineTuneRequest(training_file=uploaded.id)
        )
        print(f"fine-tune {job.id}:")
        for event in oa.stream_fine_tune_events(client, job.id):
            print(f"  [{event.level}] {event.message}")

        gateway = oa.create_client(api_key="sk-test-org-a", base_url=server.url, gateway=True)
        count = len(oa.list_files(gateway).data)
        print(f"through the gateway, listed at {gateway.shared.gateway_list_path}: {count} files")

        copy = Path(tmp) / "copy.jsonl"
        oa.download_file(client, uploaded.id, copy)
        print(f"downloaded {copy.stat().st_size} bytes, identical: {copy.read_bytes() == TRAINING}")

        try:
            oa.call(retrieve_file.sync_detailed, client=client, file_id="file-missing")
        except oa.NotFoundError as exc:
            print(f"a typed error: {type(exc).__name__}: {exc}")

        bad = Path(tmp) / "bad.jsonl"
        bad.write_text('{"prompt": "ok", "completion": "ok"}\n{"prompt": "no completion"}\nnot json\n')
        try:
            oa.upload_file(client, bad, purpose="fine-tune")
        except oa.InvalidFileError as exc:
            print(f"checked before sending:\n{exc}")
        assert server.state.violations == [], server.state.violations
        print("every exchange matched spec/openapi.yaml")


if __name__ == "__main__":
    main()
