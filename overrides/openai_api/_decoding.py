"""A body's Content-Encoding undone once, here, where a lie, a cut or an encoding never offered is a typed error.

httpx would decode too, but a compressed body cut short comes out of its decoders as fewer bytes and no error, and
it quietly passes an encoding it does not know: a download would then save the wrong bytes and report success.
"""

from __future__ import annotations

import zlib

import httpx

__all__ = ["BodyDecoder", "DecodeProblem"]

_IDENTITY = "identity"


class DecodeProblem(Exception):
    """Why a body cannot be decoded; the transport turns it into the typed error for the response's status."""


class _Zlib:
    """gzip (possibly several members, as RFC 1952 allows) or deflate (zlib-wrapped, or raw as some servers send)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        self._inner = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes) -> bytes:
        out = []
        while data:
            try:
                out.append(self._inner.decompress(data))
            except zlib.error as exc:
                if self._name == "deflate" and not self._started:
                    # Raw deflate without the zlib wrapper: what many servers mean by "deflate".
                    self._wbits = -zlib.MAX_WBITS
                    self._inner = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise DecodeProblem(f"the {self._name} data is corrupt ({exc})") from None
            self._started = True
            data = self._inner.unused_data if self._inner.eof else b""
            if data:
                if self._name != "gzip":
                    raise DecodeProblem(f"{len(data)} bytes follow the end of the {self._name} data")
                self._inner = zlib.decompressobj(self._wbits)  # the next gzip member
        return b"".join(out)

    def flush(self) -> bytes:
        tail = self._inner.flush()
        if self._started and not self._inner.eof:
            raise DecodeProblem(f"the {self._name} data stops before its end (the body was cut short)")
        return tail


class _Other:
    """An encoding httpx decodes (``br``, ``zstd`` when their packages are installed), offered by the request."""

    def __init__(self, name: str) -> None:
        from httpx._decoders import SUPPORTED_DECODERS

        self._inner = SUPPORTED_DECODERS[name]()

    def decode(self, data: bytes) -> bytes:
        try:
            return self._inner.decode(data)
        except httpx.DecodingError as exc:
            raise DecodeProblem(str(exc)) from None

    def flush(self) -> bytes:
        try:
            return self._inner.flush()
        except httpx.DecodingError as exc:
            raise DecodeProblem(str(exc)) from None


def _tokens(header: str) -> list[str]:
    return [part.split(";", 1)[0].strip().lower() for part in header.split(",") if part.strip()]


class BodyDecoder:
    """Undoes every Content-Encoding of ``response``, in the order it was applied; ``None`` from :meth:`of` when
    the body has none. Raises :class:`DecodeProblem` for an encoding the request did not offer."""

    def __init__(self, encodings: list[str]) -> None:
        self.encodings = encodings
        self._stages = [_Zlib(name) if name in ("gzip", "deflate") else _Other(name) for name in reversed(encodings)]

    @classmethod
    def of(cls, response: httpx.Response, request: httpx.Request) -> BodyDecoder | None:
        header = response.headers.get("content-encoding")
        if header is None:
            return None
        encodings = [name for name in _tokens(header) if name != _IDENTITY]
        if not encodings:
            return None
        offered = set(_tokens(request.headers.get("accept-encoding", _IDENTITY)))
        for name in encodings:
            if name not in offered or (name not in ("gzip", "deflate") and not _httpx_decodes(name)):
                raise DecodeProblem(
                    f"the body is in Content-Encoding {name!r}, which the request did not offer "
                    f"(Accept-Encoding: {request.headers.get('accept-encoding', 'none')})"
                )
        return cls(encodings)

    def decode(self, data: bytes) -> bytes:
        for stage in self._stages:
            data = stage.decode(data)
        return data

    def flush(self) -> bytes:
        data = b""
        for stage in self._stages:
            data = stage.decode(data) + stage.flush() if data else stage.flush()
        return data


def _httpx_decodes(name: str) -> bool:
    from httpx._decoders import SUPPORTED_DECODERS

    return name in SUPPORTED_DECODERS
