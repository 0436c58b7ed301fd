"""The SSE decoder from bytes, as httpx's decoder tests do: every way a stream can be cut into chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest

from openai_api._sse import LineDecoder, ServerSentEvent, SSEDecoder


def _every_split(data: bytes) -> list[list[bytes]]:
    """``data`` whole, byte by byte, and cut in two at every position."""
    splits = [[data], [data[i : i + 1] for i in range(len(data))]]
    splits += [[data[:i], data[i:]] for i in range(1, len(data))]
    return splits


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The lines of ``chunks`` as a stream's decoder gives them, chunk by chunk and then at the stream's end."""
    decoder = LineDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()


def _events(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)] + decoder.flush()
    assert decoder.error is None
    return events


@pytest.mark.parametrize("ending", [b"\n", b"\r", b"\r\n"])
def test_lines_end_at_cr_lf_and_crlf_however_the_chunks_fall(ending: bytes) -> None:
    data = b"data: one" + ending + b"data: two" + ending + ending + b"data: three" + ending + ending
    for chunks in _every_split(data):
        assert _events(chunks) == [ServerSentEvent("one\ntwo"), ServerSentEvent("three")], chunks


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_unicode_line_separators_stay_inside_the_data(char: str) -> None:
    data = f'data: {{"content": "a{char}b"}}\n\n'.encode()
    for chunks in _every_split(data):
        assert _events(chunks) == [ServerSentEvent(f'{{"content": "a{char}b"}}')]


def test_a_multibyte_character_split_between_chunks_is_whole() -> None:
    data = "data: é€😀\n\n".encode()
    for chunks in _every_split(data):
        assert _events(chunks) == [ServerSentEvent("é€😀")]


def test_a_crlf_split_between_chunks_is_one_line_ending() -> None:
    decoder = LineDecoder()
    assert list(decoder.feed(b"data: a\r")) == ["data: a"]
    assert list(decoder.feed(b"\n")) == []
    assert list(decoder.feed(b"\n")) == [""]


def test_a_bom_at_the_start_is_dropped_once() -> None:
    assert list(iter_lines([b"\xef\xbb\xbfdata: x\n", "\ufeffdata: y\n".encode()])) == ["data: x", "\ufeffdata: y"]


def test_invalid_utf8_is_an_error_not_a_replacement() -> None:
    with pytest.raises(UnicodeDecodeError):
        list(iter_lines([b"data: \xff\xfe\n"]))


def test_a_last_line_without_ending_is_flushed() -> None:
    assert list(iter_lines([b"data: a\n", b"data: b"])) == ["data: a", "data: b"]


def test_a_giant_line_in_many_chunks_is_joined_once() -> None:
    line = b"data: " + b"x" * 5_000_000
    chunks = [line[i : i + 65536] for i in range(0, len(line), 65536)] + [b"\n\n"]
    assert _events(chunks) == [ServerSentEvent("x" * 5_000_000)]


def test_event_id_comments_and_field_rules() -> None:
    data = b": comment\nevent: error\nid: 7\ndata:no-space\ndata:  two-spaces\nunknown: x\n\n"
    assert _events([data]) == [ServerSentEvent("no-space\n two-spaces", "error", "7")]


def test_lines_before_a_broken_one_come_out_first() -> None:
    lines = iter(LineDecoder().feed(b"data: good\n\ndata: \xff\n"))
    assert next(lines) == "data: good" and next(lines) == ""
    with pytest.raises(UnicodeDecodeError):
        next(lines)


def test_events_before_a_broken_line_are_returned_and_the_error_kept() -> None:
    for chunks in _every_split(b"data: good\n\ndata: \xff\n\ndata: never\n\n"):
        decoder = SSEDecoder()
        events: list[ServerSentEvent] = []
        for chunk in chunks:
            events += decoder.feed(chunk)
            if decoder.error is not None:
                break
        else:
            events += decoder.flush()
        assert events == [ServerSentEvent("good")], chunks
        assert isinstance(decoder.error, UnicodeDecodeError), chunks


def test_a_broken_last_line_is_kept_as_the_error_of_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: good\n\ndata: \xff") == [ServerSentEvent("good")]
    assert decoder.flush() == [] and isinstance(decoder.error, UnicodeDecodeError)


def test_an_event_without_its_blank_line_is_flushed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: x\ndata: a\n") == []
    assert decoder.flush() == [ServerSentEvent("a", "x")]


WHOLE_CHUNKS = [
    [b"data: a\n\n", b"data: b\n\ndata: c\n\n"],
    [b"\xef\xbb\xbfdata: bom\n\n", b"data: after\n\n"],
    [b"id: 5\n\n", b"data: keeps the id\n\n", b"id: 6\ndata: own id\n\n", b"data: x\n\n"],
    [b"data: a\n\n", b"event: named\n\n", b"data: b\n\n"],
    [b"data: a\n\n", b"event: named\ndata: b\n\n", b"data: c\n\n"],
    [b"data: a\n\n", b": comment\n\n", b"data:no-space\n\n", b"data: \n\n"],
    [b"data: a\n\n", b"data: one\ndata: two\n\n", b"\n\n\n\n", b"data: b\n\n"],
    [b"data: a\n\n", b"data: crlf\r\n\r\n", b"data: b\n\n"],
    [b"data: a\n", b"\n", b"data: b\n\n", b"data: c\n\ndata: d"],
    ['data: {"t": "a\u2028b\u0085c"}\n\n'.encode(), b"data: e\n\n"],
]


@pytest.mark.parametrize("chunks", WHOLE_CHUNKS, ids=range(len(WHOLE_CHUNKS)))
def test_whole_event_chunks_give_what_reading_byte_by_byte_gives(chunks: list[bytes]) -> None:
    # The API's chunks (whole one-line data events) are read as blocks; anything else the general way. A byte at a
    # time never makes a whole-event chunk, so it reads every one of them the general way.
    one_by_one = [bytes([byte]) for byte in b"".join(chunks)]
    assert _events(chunks) == _events(one_by_one)
    assert _events(chunks)  # not vacuous


def test_a_broken_chunk_after_whole_ones_keeps_the_events_before_it() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\n") == [ServerSentEvent("a")]
    assert decoder.feed(b"data: b\n\ndata: \xff\n\n") == [ServerSentEvent("b")]
    assert isinstance(decoder.error, UnicodeDecodeError)
