"""The upload rules (``_validation``): one implementation for the client and the local server. Each place where the
two used to disagree is judged here by both sides at once, the client's record checks (compiled) beside the
server's (jsonschema), and then over the wire: what the client lets through, the server takes."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import openai_api as oa
from openai_api import _spec, _validation
from openai_api._validation import FilePart, Refusal, part_rules, refusal
from openai_api_server import RunningServer, running
from openai_api_server._spec import bundled
from openai_api_server._uploads import record_check

GOOD = b'{"prompt": "Say this is a test ->", "completion": " This is a test"}\n'
TRAINING = GOOD * 3
PARTS = {"file": "CreateFileRequest", "audio": "CreateTranscriptionRequest", "image": "CreateImageVariationRequest"}


def _png(width: int, height: int, size: int | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    made = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
    return made + b"\0" * ((size or 0) - len(made))


def _judge(name: str, content: bytes, kind: str = "file", purpose: str | None = None) -> tuple[Any, Any]:
    """(the client's refusal, the server's) of ``content`` named ``name``, for the file part of ``kind``'s
    request; each is None when that side takes it."""
    request = _spec.resolve(_spec.spec()["components"]["schemas"][PARTS[kind]])
    field = "image" if kind == "image" else "file"
    rules = part_rules(request["properties"][field])
    found: list[Refusal | None] = []
    for records in (_validation._compiled_records, record_check(bundled())):
        source = io.BytesIO(content)
        source.seek(0)
        found.append(refusal(FilePart(field, name, len(content), source), rules, request, purpose, records))
        assert source.tell() == 0, "the check leaves the content where it found it"
    client, server = found
    assert (client is None) == (server is None), (client, server)
    return client, server


def test_a_blank_line_is_a_bad_line_on_both_sides() -> None:
    """It was one for the client ("empty line") and skipped by the server: JSON Lines has no blank lines, and the
    API's data-preparation guide parses every line. The final newline ends a line; it makes none."""
    client, server = _judge("train.jsonl", GOOD + b"\n" + GOOD + b"  \r\n", purpose="fine-tune")
    assert client.problems == ["line 2: empty line", "line 4: empty line"]
    assert server.message == "Invalid training file: line 2 is empty; line 4 is empty."
    assert _judge("train.jsonl", TRAINING, purpose="fine-tune") == (None, None)
    # Named without an extension, a file with a blank line is not JSON Lines.
    _, server = _judge("file", GOOD + b"\n", purpose="fine-tune")
    assert server.message.endswith("whose content is not JSON Lines: line 2 is empty.")


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("speech.mp3", True),
        ("SPEECH.MP3", True),
        (".mp3", True),  # the name is the extension: the client took its final suffix for none
        ("archive.tar.mp3", True),
        ("speech.mp3.txt", False),
        ("speech", False),
        ("speechmp3", False),
    ],
)
def test_an_extension_is_how_the_name_ends(name: str, taken: bool) -> None:
    """The client compared the final suffix exactly, the server whether the name ends with an allowed extension:
    both do the latter, case aside (an extension of two dots, ``.tar.gz``, is one the spec may list)."""
    client, server = _judge(name, b"ID3", kind="audio")
    assert (client is None) is taken
    if not taken:
        assert server.message.startswith("Invalid file format. Supported formats: ['flac', ")
        assert client.problems[0].startswith("is not a supported file type (")
    assert _judge("TRAIN.JSONL", TRAINING, purpose="fine-tune") == (None, None)


def test_a_line_longer_than_the_cap_is_a_bad_line_and_the_rest_are_still_read() -> None:
    """The client skipped a line over 8 MiB unread (bounded memory), the server held any line whole: both skip it."""
    long_line = b'{"prompt": "' + b"x" * (_validation.MAX_RECORD_BYTES + 10) + b'", "completion": "c"}\n'
    client, server = _judge("train.jsonl", long_line + b'{"prompt": "p"}\n' + GOOD, purpose="fine-tune")
    assert client.problems == [
        "line 1: longer than 8 MiB: no training record is that long",
        "line 2: completion: required field is missing",
    ]
    assert server.message == (
        "Invalid training file: line 1 is longer than 8 MiB; line 2: 'completion' is a required property."
    )


def test_every_bad_line_is_counted_the_client_lists_ten_the_answer_names_three() -> None:
    """The client listed 10 and counted the rest; the server stopped reading at its third. Both read every line now
    and report from the same list: ten in the client's error, the first three in the API's sentence."""
    client, server = _judge("train.jsonl", GOOD + b'{"prompt": "p"}\n' * 12, purpose="fine-tune")
    assert len(client.problems) == 10 and client.more == 2
    assert client.problems[0] == "line 2: completion: required field is missing"
    assert client.problems[-1].startswith("line 11: ")
    assert server.message.count("'completion' is a required property") == 3
    assert "line 4" in server.message and "line 5" not in server.message


def test_an_image_of_exactly_its_limit_is_refused_on_both_sides() -> None:
    """ "Less than 4 MB" (the documents, and the server): the client took an image of exactly 4 MiB."""
    limit = 4 << 20
    client, server = _judge("i.png", _png(8, 8, size=limit), kind="image")
    assert client.problems == ["is 4 MiB; the API takes images smaller than that"]
    assert server.message == f"Invalid input image - image must be less than 4 MB, got {limit} bytes (image)."
    assert _judge("i.png", _png(8, 8, size=limit - 1), kind="image") == (None, None)


def test_a_png_header_cut_short_is_no_png() -> None:
    """The server unpacked the size from whatever followed ``IHDR`` (a 500 on a 20-byte file); the client wanted 24
    bytes but no ``IHDR``. Both want the signature, ``IHDR`` and the size."""
    for content in (_png(4, 4)[:20], _png(4, 4)[:12] + b"IHDX" + _png(4, 4)[16:]):
        client, server = _judge("i.png", content, kind="image")
        assert client.problems == ["is not a PNG file"]
        assert "got an image that is not a PNG (image)" in server.message


def test_a_training_line_is_strict_json_on_both_sides() -> None:
    """The client parsed a line with ``json.loads``: ``NaN`` passed, and a line nested too deep for the parser raised
    ``RecursionError``. The server's strict reading is the rule."""
    line = b'{"prompt": "p", "completion": "c", "weight": NaN}\n'
    client, server = _judge("train.jsonl", line + b"[" * 100_000 + b"\n" + b"1e999\n", purpose="fine-tune")
    assert client.problems[0].startswith("line 1: not JSON (NaN is not JSON)")
    assert client.problems[1].startswith("line 2: not JSON (nested too deeply)")
    assert client.problems[2].startswith("line 3: not JSON (1e999 does not fit a float)")
    assert server.message == "Invalid training file: line 1 is not JSON; line 2 is not JSON; line 3 is not JSON."


def test_a_fine_tune_file_named_without_an_extension_is_judged_by_its_content_on_both_sides() -> None:
    """The server judged such a file by its content (openai 0.28 names every upload ``file``); the client refused it
    by its name. Both judge it by its content now; a name with another extension is still refused by its name."""
    assert _judge("train", TRAINING, purpose="fine-tune") == (None, None)
    client, server = _judge("train", b"prompt,completion\na,b\n", purpose="fine-tune")
    assert client.problems == [
        "purpose 'fine-tune' takes .jsonl files only; this one is named without an extension, and its content is "
        "not JSON Lines: line 1 is not JSON"
    ]
    assert server.message == (
        "Invalid file format for fine-tune. Expected one of ['.jsonl'], got 'train', whose content is not JSON Lines: "
        "line 1 is not JSON."
    )
    client, _ = _judge("train", b'{"prompt": "p"}\n', purpose="fine-tune")
    assert client.problems == ["line 1: completion: required field is missing"]
    client, _ = _judge("train.txt", TRAINING, purpose="fine-tune")
    assert client.problems == ["purpose 'fine-tune' takes .jsonl files only, not .txt"]


# --- over the wire ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[RunningServer]:
    with running() as server:
        yield server


def test_what_the_client_takes_the_server_takes(api: RunningServer) -> None:
    client = oa.OpenAI(api_key=api.key, base_url=api.url, max_retries=0)
    named_without = client.files.create(file=("train", TRAINING, "application/octet-stream"), purpose="fine-tune")
    assert named_without.filename == "train" and named_without.bytes == len(TRAINING)
    # Bytes without a name are named for the purpose's first extension, as before.
    assert client.files.create(file=TRAINING, purpose="fine-tune").filename == "file.jsonl"
    with pytest.raises(oa.InvalidFileError) as refused:
        client.files.create(file=("t.jsonl", GOOD + b"\n" + GOOD, "text/plain"), purpose="fine-tune")
    assert refused.value.problems == ["line 2: empty line"]
    # Sent without the client's checks, the server refuses it too, in the API's words.
    sent = httpx.post(
        f"{api.url}/files",
        headers={"Authorization": f"Bearer {api.key}"},
        files={"file": ("t.jsonl", GOOD + b"\n" + GOOD)},
        data={"purpose": "fine-tune"},
    )
    assert sent.status_code == 400
    assert sent.json()["error"]["message"] == "Invalid training file: line 2 is empty."
    api.check()
