"""The server's ASGI app: the pipeline every request goes through, driven by the spec, one named step after another
(:meth:`ApiServer.serve`): match the route, its key, a pending fault, read and bound the body, validate the request,
dispatch to the handler, validate the answer (recording each violation), send it. What an operation does is in
``_operations``, one handler per operationId; an operation without a handler answers the spec's example
(``_examples``). The request's context and the answers are ``_context``'s, the configuration ``_config``'s."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openai_api import _validation
from openai_api._spec import JSON
from openai_api_server import _examples, _json, _uploads
from openai_api_server._config import DEFAULT_KEYS, MAX_JSON_BYTES, PreloadedFile, ServerConfig
from openai_api_server._context import Answer, Context, Handler, error
from openai_api_server._ids import Ids
from openai_api_server._operations import Operations
from openai_api_server._protocol import ABORT, BodyTimeout
from openai_api_server._spec import Spec
from openai_api_server._validation import Exchange, request_errors, response_errors, undeclared
from openai_api_server.errors import (
    describe_request_error,
    error_body,
    invalid_key_message,
    not_json_message,
    unknown_argument_message,
)
from openai_api_server.faults import Fault
from openai_api_server.store import FileStore

_CHUNK = 1 << 16
_UPLOAD_SLACK = 64 * 1024  # a multipart body's boundaries and plain fields, on top of its largest allowed file


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


class ApiServer:
    """The state behind the app: the spec, files, fine-tune jobs, pending faults, the handlers (by operationId), and
    every spec violation it answered."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.spec = Spec.load(config.spec_path)
        self.ids = Ids(config.seed)
        self.store = FileStore(config.data_dir, self.ids)
        self.faults: deque[Fault] = deque(config.faults)
        self.violations: list[str] = []
        self.requests = 0
        self.handlers: dict[str, Handler] = {}  # create_app fills it from _operations
        self.records = _uploads.record_check(self.spec)
        limit = config.max_upload_bytes
        self.max_upload = limit if limit is not None else self.spec.upload_limit()

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

    async def serve(self, request: Request) -> Response:
        """Every request, step by step: each step moves it on, or gives the answer."""
        self.requests += 1
        ctx = Context.of(request)
        refused = self._route(ctx) or self._authorize(ctx)
        if refused is not None:
            return await self._respond(ctx, refused)
        faulted = await self._play_fault(ctx)
        if faulted is not None:
            return faulted
        try:
            try:
                refused = await self._read(ctx)
            except ClientDisconnect:
                return Response(status_code=400)  # never sent: nobody is there to read it
            answer = refused or await self._validate_request(ctx) or await self._dispatch(ctx)
            return await self._respond(ctx, answer)
        finally:
            for value in ctx.form.values():
                if isinstance(value, UploadFile):
                    await value.close()

    # --- the steps ---------------------------------------------------------------------------------------

    def _route(self, ctx: Context) -> Answer | None:
        """Match the route: the request's operation and path parameters, from the spec's paths. 404 for a path the
        spec does not have (or marks as a gateway quirk, with ``gateway_quirk`` off), 405 for a method it does not
        list there."""
        # A dot segment is no object id; openapi-core would resolve it to another path than the route's.
        found = None if {".", ".."} & set(unquote(ctx.path).split("/")) else self.spec.match(ctx.path)
        if found is None or (not self.config.gateway_quirk and "x-gateway-quirk" in found[0].item):
            return _invalid_url(ctx.request)
        path, ctx.params = found
        ctx.op = path.operations.get(ctx.request.method, {})
        if not ctx.op:
            return Answer(405, text="", headers={"Allow": ", ".join(path.operations)}, checked=False)
        return None

    def _authorize(self, ctx: Context) -> Answer | None:
        org, key = self.org_of(ctx.request)
        if org is None:
            return error(401, invalid_key_message(key), None, "invalid_api_key" if key else None)
        ctx.org = org
        return None

    async def _play_fault(self, ctx: Context) -> Response | None:
        """A pending fault of the operation: waits, drops the connection, or answers its status at once. A fault on
        the answer (``drop_mid_body``, ``slow_bytes``, ``cut_stream``) stays in ``ctx.fault`` for :meth:`_respond`."""
        fault = ctx.fault = self.take_fault(ctx.operation_id, ctx.path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop_connection:
            abort = ctx.request.scope.get("extensions", {}).get(ABORT)
            if abort is None:
                return Response(status_code=500)
            # Unread request bytes would turn the close into a reset (the peer then sees "connection reset",
            # not "disconnected without sending"): read them first, so that the fault is the same every time.
            with contextlib.suppress(ClientDisconnect, BodyTimeout):
                async for _ in ctx.request.stream():
                    pass
            abort()
            return Response(status_code=500)  # never sent: the connection is gone
        if fault is not None and fault.status is not None:
            return Response(fault.body, fault.status, headers=fault.headers, media_type=fault.content_type)
        return None

    async def _read(self, ctx: Context) -> Answer | None:
        """Read and bound the body: JSON into ``ctx.body`` (as strictly as the real API parses it), a multipart body
        streamed to disk into ``ctx.form``. 413 for one larger than the server takes, 408 for one that comes too
        slowly (the HTTP layer's answers), 400 for one the API cannot parse."""
        try:
            return await (self._read_form(ctx) if self._is_upload(ctx) else self._read_json(ctx))
        except (BodyTimeout, BodyTooLarge) as exc:
            ctx.fault, ctx.raw = None, b""
            return self._body_refused(exc, ctx.op)

    async def _validate_request(self, ctx: Context) -> Answer | None:
        """Validate the request: the real API's own checks (a field or part the spec does not name, a part sent
        twice or of the wrong kind), then openapi-core on the whole request (a multipart body as its skeleton),
        then an upload's files against the spec's upload rules."""
        if ctx.multipart is None:
            unknown = _unknown_fields(self.spec, ctx.op, ctx.body)
            if unknown:
                return error(400, unknown_argument_message(unknown))
            return self._validate(Exchange(ctx.request.method, ctx.target, ctx.headers, ctx.raw))
        answer = _form_problem(self.spec, ctx.multipart, ctx.op)
        if answer is not None:
            return answer
        ctx.raw, skeleton_headers = _skeleton(ctx.multipart, ctx.headers)
        return self._validate(Exchange(ctx.request.method, ctx.target, skeleton_headers, ctx.raw)) or (
            await self._check_files(ctx)
        )

    async def _dispatch(self, ctx: Context) -> Answer:
        """Dispatch to the operation's handler, or else answer the spec's example: JSON, text, bytes, or an event
        stream."""
        handler = self.handlers.get(ctx.operation_id)
        if handler is not None:
            return await handler(ctx)
        asked = [ctx.body.get("stream") if isinstance(ctx.body, dict) else None, ctx.form.get("stream")]
        stream = any(value is True or value == "true" for value in [*asked, ctx.query.get("stream")])
        status, media_type, value = _examples.answer(self.spec, ctx.op, ctx.params, stream)
        if media_type == _examples.EVENT_STREAM:
            return Answer(status, events=_each(value), example=True)
        if isinstance(value, bytes):
            return Answer(status, content=(io.BytesIO(value), len(value)), media_type=media_type, example=True)
        if isinstance(value, str) and media_type and media_type.startswith("text/"):
            return Answer(status, text=value, media_type=media_type, example=True)
        if media_type is None:
            return Answer(status, text="", example=True)
        return Answer(status, body=value, example=True)

    async def _respond(self, ctx: Context, answer: Answer) -> Response:
        """The answer on the wire, validated against the spec first: one that breaks it is recorded as a violation
        (naming the operation) and answered as a 500, so that a drift between a handler and the spec is loud."""
        if answer.events is not None:
            return self._stream(ctx, answer)
        if answer.content is not None:
            return self._download(answer, ctx.fault)
        if answer.text is not None:
            payload = answer.text.encode()
            media_type = answer.media_type or "text/plain"
        else:
            payload = json.dumps(answer.body).encode()
            media_type = "application/json"
        response = Response(payload, answer.status, headers=answer.headers, media_type=media_type)
        problems = self._validate_answer(ctx, answer, response, payload)
        if problems:
            message = f"The answer of {ctx.operation_id} breaks the spec: {'; '.join(problems)}"
            return Response(json.dumps(error_body(message, type_="server_error")), 500, media_type="application/json")
        if ctx.fault is not None and (ctx.fault.drop_mid_body or ctx.fault.slow_bytes):
            return self._faulty(response, payload, ctx.fault)
        return response

    def _validate_answer(self, ctx: Context, answer: Answer, response: Response, payload: bytes) -> list[str]:
        """What the answer breaks in the spec (openapi-core), and the fields of a handler's JSON the spec does not
        name (openapi-core lets them pass: a field the spec renamed); each problem is recorded as a violation."""
        if not self.config.validate or not answer.checked or not ctx.op:
            return []
        request = ctx.request.method, ctx.target, ctx.headers, ctx.raw
        problems = response_errors(Exchange(*request, answer.status, dict(response.headers), payload), self.spec)
        if not problems and answer.text is None and not answer.example:
            schema = self._media(ctx, answer.status, "application/json").get("schema", {})
            problems = undeclared(self.spec, schema, answer.body)
        if problems:
            self._record_violation(ctx, f"-> {answer.status}: {'; '.join(problems)}")
        return problems

    def _record_violation(self, ctx: Context, what: str) -> None:
        """Record a violation of the spec the server answered, with its operation and request."""
        self.violations.append(f"{ctx.operation_id}: {ctx.request.method} {ctx.target} {what}")

    # --- what the steps share ----------------------------------------------------------------------------

    def _is_upload(self, ctx: Context) -> bool:
        """Whether the operation takes a multipart body (of the two, if it takes JSON too, the one sent)."""
        media = ctx.op.get("requestBody", {}).get("content", {})
        sent = ctx.headers.get("content-type", "")
        return "multipart/form-data" in media and (len(media) == 1 or sent.startswith("multipart/"))

    async def _read_json(self, ctx: Context) -> Answer | None:
        """A JSON body (or none), at most ``max_json_bytes`` of it, parsed when it says it is JSON."""
        ctx.raw = await self._bounded_body(ctx.request)
        if ctx.raw and ctx.headers.get("content-type", "").startswith("application/json"):
            try:
                ctx.body = _json.loads(ctx.raw)
            except ValueError:  # syntax, not UTF-8, NaN, nested too deep: what the real API cannot parse
                return error(400, not_json_message())
        return None

    async def _read_form(self, ctx: Context) -> Answer | None:
        """A multipart body, parsed streaming to disk, at most the largest upload and its plain fields."""
        limit = self.max_upload + _UPLOAD_SLACK
        too_large = BodyTooLarge(limit, f"File is larger than {self.max_upload} bytes.", "file")
        length = ctx.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise too_large
        try:
            ctx.multipart = await _limited(ctx.request, too_large).form(max_files=4, max_fields=20)
        except (BodyTimeout, BodyTooLarge, ClientDisconnect):
            raise
        except Exception as exc:
            return error(400, f"The multipart body could not be read: {exc}")
        ctx.form = dict(ctx.multipart.items())
        return None

    async def _bounded_body(self, request: Request) -> bytes:
        """A JSON body, at most ``max_json_bytes`` of it: a larger one is refused (BodyTooLarge) from its
        Content-Length, before any of it is read, or else as soon as more than the limit has arrived."""
        limit = self.config.max_json_bytes
        too_large = BodyTooLarge(limit, f"The request body is larger than {limit} bytes.")
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise too_large
        return await _limited(request, too_large).body()

    def _validate(self, exchange: Exchange) -> Answer | None:
        """openapi-core's first problem with the request, as the API's 400."""
        if not self.config.validate:
            return None
        try:
            errors = request_errors(exchange, self.spec)
        except Exception as exc:  # openapi-core gives up on some malformed bodies: that is a bad request too
            message, param = describe_request_error(exc)
            return error(400, message, param)
        if errors:
            message, param = describe_request_error(errors[0])
            return error(400, message, param)
        return None

    async def _check_files(self, ctx: Context) -> Answer | None:
        """Each file part against the spec's upload rules, read in a thread."""
        files = self.spec.file_fields(ctx.op)
        for name, value in ctx.form.items():
            if isinstance(value, UploadFile):
                answer = await asyncio.to_thread(self._upload_problem, ctx, name, value, files.get(name, {}))
                if answer is not None:
                    return answer
        return None

    def _upload_problem(self, ctx: Context, name: str, upload: UploadFile, rules: JSON) -> Answer | None:
        """The spec's rules for a file part (``rules``: its schema) and for the request's purpose, as the client
        checks them (``openai_api._validation``), after the server's own size limit."""
        size = upload.size if upload.size is not None else 0
        if size > self.max_upload:
            return error(413, f"File is larger than {self.max_upload} bytes.", name)
        upload.file.seek(0)
        part = _validation.FilePart(name, upload.filename or "", size, upload.file)
        request = self.spec.request_schema(ctx.op) or {}
        found = _validation.refusal(part, rules, request, ctx.form.get("purpose"), self.records)
        return error(400, found.message, name) if found else None

    def _body_refused(self, exc: BodyTimeout | BodyTooLarge, op: JSON) -> Answer:
        """408 for a body that came too slowly, 413 for one too large. They are the HTTP layer's answers, which the
        spec lists for some operations only (413 for uploads): checked against it only where it lists them."""
        if isinstance(exc, BodyTimeout):
            answer = error(408, str(exc))
            # The rest of the body may still be on its way: the connection cannot carry another request.
            answer.headers["connection"] = "close"
        else:
            # The rest of a too-large body is read and dropped (never kept) by the HTTP layer, within the body
            # deadline, so that the client, still sending, gets to read this answer rather than a reset connection.
            answer = error(413, str(exc), exc.param)
        answer.checked = self.spec.response(op, answer.status) is not None
        return answer

    def _media(self, ctx: Context, status: int, media_type: str) -> JSON:
        media: JSON = (self.spec.response(ctx.op, status) or {}).get("content", {}).get(media_type, {})
        return media

    # --- answers -----------------------------------------------------------------------------------------

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
        media_type = answer.media_type or "application/octet-stream"
        response = StreamingResponse(chunks(), answer.status, headers=headers, media_type=media_type)
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

    def _stream(self, ctx: Context, answer: Answer) -> Response:
        """Server-sent events, each checked against the spec's event data, ended by its ``x-sse-terminator``."""
        assert answer.events is not None
        events, fault, delay = answer.events, ctx.fault, self.config.stream_delay
        media = self._media(ctx, answer.status, _examples.EVENT_STREAM)
        schema = self.spec.event_data_schema(media)
        validator = self.spec.schema_validator(schema)
        terminator = media.get("x-sse-terminator")
        if self.config.validate and not media:
            self._record_violation(ctx, f"-> {answer.status}: an event stream, which the spec does not describe")

        def validate_event(sent: int, event: Any) -> None:
            """Validate one event of the answer against the spec's event data; record what it breaks."""
            problems = [e.message for e in validator.iter_errors(event)]
            if not answer.example:
                problems += undeclared(self.spec, schema, event)
            if problems:
                self._record_violation(ctx, f"event {sent}: {'; '.join(problems)}")

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            async for event in _all_but_last(events) if fault is not None and fault.cut_stream else events:
                if self.config.validate:
                    validate_event(sent, event)
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
            if terminator is not None:
                yield f"data: {terminator}\n\n".encode()

        return StreamingResponse(body(), answer.status, headers=answer.headers, media_type="text/event-stream")


async def _each(values: list[Any]) -> AsyncIterator[Any]:
    for value in values:
        yield value


async def _all_but_last(events: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A stream cut before its end: the last event (the one that finishes the choices) never comes."""
    held: Any = None
    async for event in events:
        if held is not None:
            yield held
        held = event


# Arguments the real API takes that the spec does not list yet; the official SDK sends them on its own (openai 3.x
# sends encoding_format=base64 on every embeddings call), so refusing them would refuse the SDK.
_BEYOND_SPEC = {"createEmbedding": {"encoding_format"}}


def _unknown_fields(spec: Spec, op: JSON, body: Any) -> list[str]:
    """Top-level fields the operation's request schema does not name: the real API refuses them."""
    schema = spec.request_schema(op)
    if schema is None or not isinstance(body, dict) or "properties" not in schema:
        return []
    tolerated = _BEYOND_SPEC.get(op["operationId"], set())
    return [name for name in body if name not in schema["properties"] and name not in tolerated]


def _form_problem(spec: Spec, form: FormData, op: JSON) -> Answer | None:
    """What a multipart body breaks before its content is looked at: parts repeated, unknown, or not files."""
    known = set((spec.request_schema(op) or {}).get("properties", {}))
    files = spec.file_fields(op)
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


def _invalid_url(request: Request) -> Answer:
    answer = error(404, f"Invalid URL ({request.method} {request.url.path})")
    answer.checked = False
    return answer


async def _not_found(request: Request, exc: Exception) -> Response:
    """A path the one route cannot match (a model ID with a newline: Starlette's patterns stop at one) answers the
    spec's JSON error, not plain text."""
    return Response(json.dumps(_invalid_url(request).body), 404, media_type="application/json")


async def _server_error(request: Request, exc: Exception) -> Response:
    body = error_body("The server had an error while processing your request. Sorry about that!", type_="server_error")
    # uvicorn closes the connection after an exception even once the answer is out: say so, so that a client does not
    # send its next request on it and meet a reset.
    return Response(json.dumps(body), 500, headers={"connection": "close"}, media_type="application/json")


def create_app(config: ServerConfig) -> Starlette:
    """The server for ``config``; its state (an :class:`ApiServer`) is ``app.state.server``. One route takes every
    path and method: the spec's paths are the routes (:meth:`ApiServer._route`)."""
    server = ApiServer(config)
    ops = Operations(config, server.ids, server.store)
    server.handlers = ops.handlers(op["operationId"] for op in server.spec.operations())
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    routes = [Route("/{path:path}", server.serve, methods=every)]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, Exception: _server_error})
    app.add_middleware(RequestIds, ids=server.ids)
    app.state.server = server
    ops.preload()
    return app


__all__ = [
    "DEFAULT_KEYS",
    "MAX_JSON_BYTES",
    "Answer",
    "ApiServer",
    "Context",
    "Handler",
    "PreloadedFile",
    "ServerConfig",
    "create_app",
    "error",
]
