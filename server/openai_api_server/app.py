"""The server's ASGI app: the plumbing every operation shares (keys, faults, strict validation, error bodies,
answers checked against the spec). The operations themselves are in ``_operations``."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openai_api_server import _json, _uploads
from openai_api_server._ids import Ids
from openai_api_server._protocol import ABORT, BodyTimeout
from openai_api_server._spec import component, deref, event_data_schema, operation, request_schema, schema_validator
from openai_api_server._validation import Exchange, describe, request_errors, response_errors
from openai_api_server.errors import (
    describe_request_error,
    error_body,
    invalid_key_message,
    not_json_message,
    unknown_argument_message,
)
from openai_api_server.faults import Fault
from openai_api_server.store import FileStore

JSON = dict[str, Any]
DEFAULT_KEYS = {"sk-test-org-a": "org-a", "sk-test-org-b": "org-b"}
_CHUNK = 1 << 16
MAX_JSON_BYTES = 32 << 20  # far above any request of the spec; a JSON body is read into memory, so it is bounded
_UPLOAD_SLACK = 64 * 1024  # a multipart body's boundaries and plain fields, on top of its largest allowed file


@dataclass
class PreloadedFile:
    path: Path
    purpose: str
    org: str | None = None  # None: the organization of the first key


@dataclass
class ServerConfig:
    """What a server instance is; each field is a knob documented in the package's docstring."""

    data_dir: Path
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    gateway_quirk: bool = True
    max_upload_bytes: int | None = None
    max_json_bytes: int = MAX_JSON_BYTES
    validate: bool = True
    fine_tune_step: float = 0.05
    stream_delay: float = 0.0
    seed: int | None = None
    faults: list[Fault] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    files: list[PreloadedFile] = field(default_factory=list)


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    text: str | None = None
    content: tuple[IO[bytes], int] | None = None  # an open file and its size, streamed
    events: AsyncIterator[JSON] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    checked: bool = True  # False: the request's path is not one of the spec's, so neither is the answer's


def error(
    status: int, message: str, param: str | None = None, code: str | None = None, type_: str | None = None
) -> Answer:
    return Answer(status, error_body(message, param, code, type_))


@dataclass
class Context:
    org: str
    request: Request
    query: dict[str, str]
    body: Any
    form: dict[str, Any]


class BodyTooLarge(Exception):
    """More of the request's body arrived than the server takes for it (``limit`` bytes)."""

    def __init__(self, limit: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.param = param


def _limited(request: Request, too_large: BodyTooLarge) -> Request:
    """The same request, whose body raises ``too_large`` as soon as more than its limit has arrived: a body is never
    read whole (into memory, or to disk for an upload) to find out that it is too large."""
    receive = request.receive
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > too_large.limit:
                raise too_large
        return message

    return Request(request.scope, counted)


def _declared(op: JSON | None, status: int) -> bool:
    """Whether the operation's responses list ``status`` (or its class, or a default)."""
    responses = op.get("responses", {}) if op else {}
    return str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses


class ApiServer:
    """The state behind the app: files, fine-tune jobs, pending faults, and every spec violation it answered."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.ids = Ids(config.seed)
        self.store = FileStore(config.data_dir, self.ids)
        self.faults: deque[Fault] = deque(config.faults)
        self.violations: list[str] = []
        self.requests = 0
        limit = component("CreateFileRequest")["properties"]["file"]["x-max-bytes"]
        self.max_upload = config.max_upload_bytes if config.max_upload_bytes is not None else int(limit)

    def org_of(self, request: Request) -> tuple[str | None, str | None]:
        """The organization of the request's key, and the key itself (None when there is no Bearer header)."""
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None, None
        key = auth.removeprefix("Bearer ").strip()
        return self.config.keys.get(key), key

    def take_fault(self, operation_id: str | None, path: str) -> Fault | None:
        for fault in list(self.faults):
            if fault.matches(operation_id, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def endpoint(self, handler: Callable[[Context], Awaitable[Answer]], upload: bool = False) -> Any:
        async def route(request: Request) -> Response:
            self.requests += 1
            raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
            query_string = request.scope.get("query_string", b"").decode("latin-1")
            target = raw_path + (f"?{query_string}" if query_string else "")
            headers = dict(request.headers.items())
            if {".", ".."} & set(unquote(raw_path).split("/")):
                # A dot segment is no object id; openapi-core would resolve it to another path than the route's.
                return await self._send(request, target, headers, b"", _invalid_url(request), None, None)
            op = operation(request.method, raw_path)
            org, key = self.org_of(request)
            if org is None:
                refused = error(401, invalid_key_message(key), None, "invalid_api_key" if key else None)
                return await self._send(request, target, headers, b"", refused, None, op)
            fault = self.take_fault(op["operationId"] if op else None, raw_path)
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.drop_connection:
                abort = request.scope.get("extensions", {}).get(ABORT)
                if abort is None:
                    return Response(status_code=500)
                # Unread request bytes would turn the close into a reset (the peer then sees "connection reset",
                # not "disconnected without sending"): read them first, so that the fault is the same every time.
                with contextlib.suppress(ClientDisconnect, BodyTimeout):
                    async for _ in request.stream():
                        pass
                abort()
                return Response(status_code=500)  # never sent: the connection is gone
            if fault is not None and fault.status is not None:
                return Response(fault.body, fault.status, headers=fault.headers, media_type=fault.content_type)
            form: dict[str, Any] = {}
            problem: Answer | None
            parsed: Any = None
            try:
                try:
                    if upload:
                        problem, body, form = await self._read_upload(request, target, headers, op)
                    else:
                        body = await self._read_body(request)
                        problem, parsed = self._check_json(request, target, headers, body, op)
                except ClientDisconnect:
                    return Response(status_code=400)  # never sent: nobody is there to read it
                except (BodyTimeout, BodyTooLarge) as exc:
                    return await self._send(request, target, headers, b"", _body_refused(exc, op), None, op)
                if problem is not None:
                    return await self._send(request, target, headers, body, problem, fault, op)
                query = dict(parse_qsl(query_string, keep_blank_values=True))
                answer = await handler(Context(org, request, query, parsed, form))
                return await self._send(request, target, headers, body, answer, fault, op)
            finally:
                for value in form.values():
                    if isinstance(value, UploadFile):
                        await value.close()

        return route

    # --- requests --------------------------------------------------------------------------------------

    def _validate(self, exchange: Exchange) -> Answer | None:
        if not self.config.validate:
            return None
        try:
            errors = request_errors(exchange)
        except Exception as exc:  # openapi-core gives up on some malformed bodies: that is a bad request too
            message, param = describe_request_error(exc)
            return error(400, message, param)
        if errors:
            message, param = describe_request_error(errors[0])
            return error(400, message, param)
        return None

    async def _read_body(self, request: Request) -> bytes:
        """A JSON body, at most ``max_json_bytes`` of it: a larger one is refused (BodyTooLarge) from its
        Content-Length, before any of it is read, or else as soon as more than the limit has arrived."""
        limit = self.config.max_json_bytes
        too_large = BodyTooLarge(limit, f"The request body is larger than {limit} bytes.")
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise too_large
        return await _limited(request, too_large).body()

    def _check_json(
        self, request: Request, target: str, headers: dict[str, str], body: bytes, op: JSON | None
    ) -> tuple[Answer | None, Any]:
        """The problem of a JSON request (None if there is none) and its parsed body (None if it has none)."""
        parsed = None
        if body and headers.get("content-type", "").startswith("application/json"):
            try:
                parsed = _json.loads(body)
            except ValueError:  # syntax, not UTF-8, NaN, nested too deep: what the real API cannot parse
                return error(400, not_json_message()), None
            unknown = _unknown_fields(op, parsed)
            if unknown:
                return error(400, unknown_argument_message(unknown)), parsed
        return self._validate(Exchange(request.method, target, headers, body)), parsed

    async def _read_upload(
        self, request: Request, target: str, headers: dict[str, str], op: JSON | None
    ) -> tuple[Answer | None, bytes, dict[str, Any]]:
        """Parses a multipart upload streaming to disk and checks it as the real API does."""
        limit = self.max_upload + _UPLOAD_SLACK
        too_large = BodyTooLarge(limit, f"File is larger than {self.max_upload} bytes.", "file")
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise too_large
        try:
            form = await _limited(request, too_large).form(max_files=4, max_fields=20)
        except (BodyTimeout, BodyTooLarge, ClientDisconnect):
            raise
        except Exception as exc:
            return error(400, f"The multipart body could not be read: {exc}"), b"", {}
        values = dict(form.items())
        answer = _form_problem(form, op)
        if answer is not None:
            return answer, b"", values
        body, skeleton_headers = _skeleton(form, headers)
        answer = self._validate(Exchange(request.method, target, skeleton_headers, body))
        if answer is not None:
            return answer, body, values
        media = _file_fields(op)
        for name, value in values.items():
            if isinstance(value, UploadFile):
                problem = await asyncio.to_thread(self._upload_problem, name, value, values, media.get(name, ""))
                if problem is not None:
                    return problem, body, values
        return None, body, values

    def _upload_problem(self, name: str, upload: UploadFile, values: dict[str, Any], media: str) -> Answer | None:
        size = upload.size if upload.size is not None else 0
        if size > self.max_upload:
            return error(413, f"File is larger than {self.max_upload} bytes.", name)
        source = upload.file
        source.seek(0)
        head = source.read(32)
        source.seek(0)
        problem: str | None = None
        if media == "ImageFile":
            problem = _uploads.image_problem(name, head, size)
        elif media == "AudioFile":
            problem = _uploads.audio_problem(upload.filename or "")
        elif name == "file" and "purpose" in values:
            problem = _uploads.purpose_problem(str(values["purpose"]), upload.filename or "", source, size)
        return error(400, problem, name) if problem else None

    # --- answers ---------------------------------------------------------------------------------------

    async def _send(
        self,
        request: Request,
        target: str,
        headers: dict[str, str],
        body: bytes,
        answer: Answer,
        fault: Fault | None,
        op: JSON | None,
    ) -> Response:
        if answer.events is not None:
            assert op is not None
            return self._stream(request, target, answer, answer.headers, fault, op)
        if answer.content is not None:
            return self._download(answer, fault)
        if answer.text is not None:
            payload = answer.text.encode()
            response = Response(payload, answer.status, headers=answer.headers, media_type="text/plain")
        else:
            payload = json.dumps(answer.body).encode()
            response = Response(payload, answer.status, headers=answer.headers, media_type="application/json")
        if self.config.validate and answer.checked and op is not None:
            exchange = Exchange(request.method, target, headers, body, answer.status, dict(response.headers), payload)
            problems = response_errors(exchange)
            if problems:
                self.violations.append(f"{request.method} {target} -> {answer.status}: {problems}")
                return Response(json.dumps(error_body(str(problems), type_="server_error")), 500)
        if fault is not None and (fault.drop_mid_body or fault.slow_bytes):
            return self._faulty(response, payload, fault)
        return response

    def _download(self, answer: Answer, fault: Fault | None) -> Response:
        assert answer.content is not None
        handle, size = answer.content

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(handle.read, _CHUNK):
                    yield chunk
            finally:
                handle.close()

        headers = {**answer.headers, "content-length": str(size)}
        response = StreamingResponse(chunks(), 200, headers=headers, media_type="application/octet-stream")
        if fault is not None and (fault.drop_mid_body or fault.slow_bytes):
            with handle:
                payload = handle.read()  # faults are for small files: drip or cut the real content
            return self._faulty(response, payload, fault)
        return response

    def _faulty(self, response: Response, payload: bytes, fault: Fault) -> Response:
        async def drip() -> AsyncIterator[bytes]:
            if fault.drop_mid_body:
                yield payload[: len(payload) // 2]
                raise ConnectionAbortedError("fault: connection dropped mid-body")
            for start in range(0, len(payload), 4):
                yield payload[start : start + 4]
                await asyncio.sleep(fault.slow_bytes)

        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        return StreamingResponse(drip(), response.status_code, headers=headers, media_type=response.media_type)

    def _stream(
        self, request: Request, target: str, answer: Answer, headers: dict[str, str], fault: Fault | None, op: JSON
    ) -> Response:
        assert answer.events is not None
        events = answer.events
        validator = schema_validator(event_data_schema(op))
        delay = self.config.stream_delay

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            async for event in _all_but_last(events) if fault is not None and fault.cut_stream else events:
                if self.config.validate:
                    problems = [e.message for e in validator.iter_errors(event)]
                    if problems:
                        self.violations.append(f"{request.method} {target} event {sent}: {problems}")
                if fault is not None and fault.drop_mid_body and sent == 1:
                    raise ConnectionAbortedError("fault: connection dropped mid-stream")
                yield b"data: " + json.dumps(event).encode() + b"\n\n"
                sent += 1
                if fault is not None and fault.slow_bytes:
                    await asyncio.sleep(fault.slow_bytes)
                elif delay:
                    await asyncio.sleep(delay)
            if fault is not None and fault.cut_stream:
                return
            yield b"data: [DONE]\n\n"

        return StreamingResponse(body(), 200, headers=headers, media_type="text/event-stream")


async def _all_but_last(events: AsyncIterator[JSON]) -> AsyncIterator[JSON]:
    """A stream cut before its end: the last event (the one that finishes the choices) never comes."""
    held: JSON | None = None
    async for event in events:
        if held is not None:
            yield held
        held = event


# Arguments the real API takes that the spec does not list yet; the official SDK sends them on its own (openai 3.x
# sends encoding_format=base64 on every embeddings call), so refusing them would refuse the SDK.
_BEYOND_SPEC = {"createEmbedding": {"encoding_format"}}


def _unknown_fields(op: JSON | None, body: Any) -> list[str]:
    """Top-level fields the operation's request schema does not name: the real API refuses them."""
    schema = request_schema(op) if op else None
    if op is None or schema is None or not isinstance(body, dict) or "properties" not in schema:
        return []
    tolerated = _BEYOND_SPEC.get(op["operationId"], set())
    return [name for name in body if name not in schema["properties"] and name not in tolerated]


def _file_fields(op: JSON | None) -> dict[str, str]:
    """The operation's file parts, each with the component that describes it (``ImageFile``, ``AudioFile``, ...)."""
    schema = request_schema(op) if op else None
    found = {}
    for name, prop in (schema or {}).get("properties", {}).items():
        ref = prop.get("$ref", "")
        if "contentMediaType" in deref(prop):
            found[name] = ref.rsplit("/", 1)[-1] if ref else ""
    return found


def _form_problem(form: FormData, op: JSON | None) -> Answer | None:
    """What a multipart body breaks before its content is looked at: parts repeated, unknown, or not files."""
    schema = request_schema(op) if op else None
    known = set((schema or {}).get("properties", {}))
    files = _file_fields(op)
    names = [name for name, _ in form.multi_items()]
    unknown = [name for name in dict.fromkeys(names) if known and name not in known]
    if unknown:
        return error(400, unknown_argument_message(unknown))
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            return error(400, f"'{name}' was given {names.count(name)} times; send it once.", name)
    for name, value in form.multi_items():
        if name in files and not isinstance(value, UploadFile):
            return error(400, f"'{name}' must be a file upload (a part with a filename).", name)
        if name not in files and isinstance(value, UploadFile):
            return error(400, f"'{name}' must be a plain form field, not a file.", name)
    return None


def _skeleton(form: FormData, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The body's shape without the files' content (each file part one byte), for openapi-core to validate."""
    skeleton = io.BytesIO()
    boundary = "skeleton-boundary"
    for name, value in form.multi_items():
        skeleton.write(f"--{boundary}\r\n".encode())
        if isinstance(value, UploadFile):
            skeleton.write(
                f'Content-Disposition: form-data; name="{name}"; filename="f"\r\n'
                "Content-Type: application/octet-stream\r\n\r\nx\r\n".encode()
            )
        else:
            skeleton.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    skeleton.write(f"--{boundary}--\r\n".encode())
    return skeleton.getvalue(), {**headers, "content-type": f"multipart/form-data; boundary={boundary}"}


class RequestIds:
    """Gives every answer an ``x-request-id`` (errors of routing and of the server included), as the real API does."""

    def __init__(self, app: ASGIApp, ids: Ids) -> None:
        self.app = app
        self.ids = ids

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self.ids.new("req_", 32).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


def _body_refused(exc: BodyTimeout | BodyTooLarge, op: JSON | None) -> Answer:
    """408 for a body that came too slowly, 413 for one too large. They are the HTTP layer's answers, which the
    spec lists for some operations only (413 for uploads): checked against it only where it lists them."""
    if isinstance(exc, BodyTimeout):
        answer = error(408, str(exc))
        # The rest of the body may still be on its way: the connection cannot carry another request.
        answer.headers["connection"] = "close"
    else:
        # The rest of a too-large body is read and dropped (never kept) by the HTTP layer, within the body deadline,
        # so that the client, still sending, gets to read this answer rather than a reset connection.
        answer = error(413, str(exc), exc.param)
    answer.checked = _declared(op, answer.status)
    return answer


def _invalid_url(request: Request) -> Answer:
    answer = error(404, f"Invalid URL ({request.method} {request.url.path})")
    answer.checked = False
    return answer


async def _not_found(request: Request, exc: Exception) -> Response:
    """A path no route matches (a model ID with a newline, say) answers the spec's JSON error, not plain text."""
    return Response(json.dumps(_invalid_url(request).body), 404, media_type="application/json")


async def _server_error(request: Request, exc: Exception) -> Response:
    body = error_body("The server had an error while processing your request. Sorry about that!", type_="server_error")
    # uvicorn closes the connection after an exception even once the answer is out: say so, so that a client does not
    # send its next request on it and meet a reset.
    return Response(json.dumps(body), 500, headers={"connection": "close"}, media_type="application/json")


def _dispatch(handlers: dict[str, Any]) -> Any:
    """One route per path, so that a method the spec does not list gets 405 with the right ``Allow`` header."""
    allow = ", ".join(handlers)

    async def route(request: Request) -> Response:
        handler = handlers.get(request.method)
        if handler is None:
            return Response(status_code=405, headers={"Allow": allow})
        response: Response = await handler(request)
        return response

    return route


def create_app(config: ServerConfig) -> Starlette:
    """The server for ``config``; its state (an :class:`ApiServer`) is ``app.state.server``."""
    from openai_api_server._operations import Operations

    server = ApiServer(config)
    ops = Operations(server)
    e = server.endpoint
    table: dict[str, dict[str, Any]] = {
        "/v1/models": {"GET": e(ops.list_models)},
        "/v1/models/{model:path}": {"GET": e(ops.retrieve_model), "DELETE": e(ops.delete_model)},
        "/v1/completions": {"POST": e(ops.create_completion)},
        "/v1/chat/completions": {"POST": e(ops.create_chat_completion)},
        "/v1/edits": {"POST": e(ops.create_edit)},
        "/v1/images/generations": {"POST": e(ops.create_image)},
        "/v1/images/edits": {"POST": e(ops.create_image_upload, upload=True)},
        "/v1/images/variations": {"POST": e(ops.create_image_upload, upload=True)},
        "/v1/embeddings": {"POST": e(ops.create_embedding)},
        "/v1/audio/transcriptions": {"POST": e(ops.create_audio, upload=True)},
        "/v1/audio/translations": {"POST": e(ops.create_audio, upload=True)},
        "/v1/files": {"GET": e(ops.list_files), "POST": e(ops.create_file, upload=True)},
        # The server decodes the path once: the gateway's raw /v1/files%2520_ arrives here as /v1/files%20_.
        "/v1/files%20_": {"GET": e(ops.list_files_gateway)},
        "/v1/files/{file_id}": {"GET": e(ops.retrieve_file), "DELETE": e(ops.delete_file)},
        "/v1/files/{file_id}/content": {"GET": e(ops.download_file)},
        "/v1/fine-tunes": {"GET": e(ops.list_fine_tunes), "POST": e(ops.create_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}": {"GET": e(ops.retrieve_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}/cancel": {"POST": e(ops.cancel_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}/events": {"GET": e(ops.list_fine_tune_events)},
    }
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    routes = [Route(path, _dispatch(handlers), methods=every) for path, handlers in table.items()]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, Exception: _server_error})
    app.add_middleware(RequestIds, ids=server.ids)
    app.state.server = server
    ops.preload()
    return app


__all__ = ["Answer", "ApiServer", "Context", "PreloadedFile", "ServerConfig", "create_app", "describe", "error"]
