"""The test server's ASGI app: every operation of the spec, with state, security and fault injection."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.helpers.openapi_validation import Exchange, event_errors, request_errors, response_errors
from tests.helpers.spec import event_data_schema, load_spec
from tests.server.faults import Fault
from tests.server.store import FileStore

JSON = dict[str, Any]
DEFAULT_KEYS = {"sk-test-org-a": "org-a", "sk-test-org-b": "org-b"}
BASE_MODELS = ["gpt-3.5-turbo", "text-davinci-003", "text-davinci-edit-001", "text-embedding-ada-002", "whisper-1"]
BASE_MODELS += ["ada", "babbage", "curie", "davinci"]
TINY_PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a")).decode()


@dataclass
class ServerConfig:
    data_dir: Path
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    gateway_quirk: bool = True
    max_upload_bytes: int | None = None
    validate: bool = True
    fine_tune_step: float = 0.05
    stream_delay: float = 0.0


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    text: str | None = None
    file: Path | None = None
    events: AsyncIterator[JSON] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str, param: str | None = None, type_: str = "invalid_request_error") -> Answer:
    return Answer(status, {"error": {"message": message, "type": type_, "param": param, "code": None}})


@dataclass
class Context:
    org: str
    request: Request
    query: dict[str, str]
    body: Any
    form: dict[str, Any]
    fault: Fault | None


class TestServer:
    """The state behind the app: files, fine-tune jobs, pending faults, and every spec violation it saw."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store = FileStore(config.data_dir)
        self.faults: deque[Fault] = deque()
        self.violations: list[str] = []
        self.fine_tunes: dict[str, JSON] = {}
        self.fine_tune_orgs: dict[str, str] = {}
        self.deleted_models: set[str] = set()
        self.requests = 0
        spec = load_spec()
        limit = spec["components"]["schemas"]["CreateFileRequest"]["properties"]["file"]["x-max-bytes"]
        self.max_upload = config.max_upload_bytes if config.max_upload_bytes is not None else limit

    # --- plumbing ---------------------------------------------------------------------------------------

    def _org(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        return self.config.keys.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None

    def _fault(self, path: str) -> Fault | None:
        for fault in list(self.faults):
            if path.startswith(fault.path):
                self.faults.remove(fault)
                return fault
        return None

    def endpoint(self, handler: Callable[[Context], Awaitable[Answer]], upload: bool = False) -> Any:
        async def route(request: Request) -> Response:
            self.requests += 1
            raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
            query_string = request.scope.get("query_string", b"").decode("latin-1")
            target = raw_path + (f"?{query_string}" if query_string else "")
            headers = {k: v for k, v in request.headers.items()}
            org = self._org(request)
            if org is None:
                return self._send(request, target, headers, b"", error(401, "Incorrect API key provided."), None)
            fault = self._fault(raw_path)
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.status is not None:
                return Response(fault.body, fault.status, headers=fault.headers, media_type=fault.content_type)
            form: dict[str, Any] = {}
            if upload:
                answer, body, form = await self._read_upload(request, target, headers)
                if answer is not None:
                    return self._send(request, target, headers, body, answer, fault)
            else:
                body = await request.body()
                if self.config.validate:
                    problems = self._request_problems(Exchange(request.method, target, headers, body))
                    if problems:
                        return self._send(request, target, headers, body, self._invalid(problems), fault)
            parsed: Any = None
            if body and headers.get("content-type", "").startswith("application/json"):
                try:
                    parsed = json.loads(body)
                except ValueError as exc:
                    return self._send(request, target, headers, body, error(400, f"The body is not JSON: {exc}"), fault)
            query = dict(parse_qsl(query_string, keep_blank_values=True))
            try:
                answer = await handler(Context(org, request, query, parsed, form, fault))
            finally:
                for value in form.values():
                    if isinstance(value, UploadFile):
                        await value.close()
            return self._send(request, target, headers, body, answer, fault)

        return route

    @staticmethod
    def _request_problems(exchange: Exchange) -> list[str]:
        try:
            return request_errors(exchange)
        except Exception as exc:  # openapi-core gives up on some malformed bodies: that is a bad request too
            return [f"{type(exc).__name__}: the body cannot be read as the spec says ({exc})"]

    def _invalid(self, problems: list[str]) -> Answer:
        first = problems[0]
        param = None
        for marker in ("name='", "'"):
            if marker in first and param is None and "InvalidParameter" in first:
                param = first.split(marker, 1)[1].split("'", 1)[0]
        return error(400, "The request does not match the API: " + " | ".join(problems)[:2000], param)

    async def _read_upload(
        self, request: Request, target: str, headers: dict[str, str]
    ) -> tuple[Answer | None, bytes, dict[str, Any]]:
        """Parses a multipart upload streaming to disk; returns the validation skeleton of its body."""
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_upload + 64 * 1024:
            return error(413, f"File is larger than {self.max_upload} bytes.", "file"), b"", {}
        try:
            form = await request.form(max_files=4, max_fields=20)
        except Exception as exc:
            return error(400, f"The multipart body could not be parsed: {exc}"), b"", {}
        values = dict(form.items())
        # Validate the body's shape without holding the file in memory: the same parts, each file part empty.
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
        headers = {**headers, "content-type": f"multipart/form-data; boundary={boundary}"}
        body = skeleton.getvalue()
        if self.config.validate:
            problems = self._request_problems(Exchange(request.method, target, headers, body))
            if problems:
                return self._invalid(problems), body, values
        for value in values.values():
            if isinstance(value, UploadFile) and value.size is not None and value.size > self.max_upload:
                return error(413, f"File is larger than {self.max_upload} bytes.", "file"), body, values
        return None, body, values

    def _send(
        self,
        request: Request,
        target: str,
        headers: dict[str, str],
        body: bytes,
        answer: Answer,
        fault: Fault | None,
    ) -> Response:
        response_headers = {"x-request-id": f"req_{self.requests}", **answer.headers}
        if answer.events is not None:
            return self._stream(request, target, answer, response_headers, fault)
        if answer.file is not None:
            response: Response = FileResponse(
                answer.file, headers=response_headers, media_type="application/octet-stream"
            )
            payload = b""
        elif answer.text is not None:
            payload = answer.text.encode()
            response = Response(payload, answer.status, headers=response_headers, media_type="text/plain")
        else:
            payload = json.dumps(answer.body).encode()
            response = Response(payload, answer.status, headers=response_headers, media_type="application/json")
        if self.config.validate and answer.file is None:
            exchange = Exchange(request.method, target, headers, body, answer.status, dict(response.headers), payload)
            problems = response_errors(exchange)
            if problems:
                self.violations.append(f"{request.method} {target} -> {answer.status}: {problems}")
                return Response(json.dumps({"error": {"message": str(problems), "type": "server_error"}}), 500)
        if fault is not None and (fault.drop_mid_body or fault.slow_bytes):
            if answer.file is not None:
                payload = answer.file.read_bytes()  # faults are for small files: drip or cut the real content
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
        self, request: Request, target: str, answer: Answer, headers: dict[str, str], fault: Fault | None
    ) -> Response:
        assert answer.events is not None
        events = answer.events
        operation = _operation_for(request.method, target)
        schema = event_data_schema(operation["responses"]["200"]["content"]["text/event-stream"])
        delay = self.config.stream_delay

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            async for event in events:
                if self.config.validate:
                    problems = event_errors(schema, event)
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

    # --- models ----------------------------------------------------------------------------------------

    def _models(self, org: str) -> list[JSON]:
        base = {"object": "model", "created": 1677610602, "owned_by": "openai", "permission": []}
        models = [{**base, "id": m} for m in BASE_MODELS if m not in self.deleted_models]
        for job_id, job in self.fine_tunes.items():
            name = job["fine_tuned_model"]
            if self.fine_tune_orgs[job_id] == org and name and name not in self.deleted_models:
                models.append({"id": name, "object": "model", "created": job["updated_at"], "owned_by": org})
        return models

    async def list_models(self, ctx: Context) -> Answer:
        return Answer(body={"object": "list", "data": self._models(ctx.org)})

    async def retrieve_model(self, ctx: Context) -> Answer:
        model_id = ctx.request.path_params["model"]
        for model in self._models(ctx.org):
            if model["id"] == model_id:
                return Answer(body=model)
        return error(404, f"The model '{model_id}' does not exist", "model")

    async def delete_model(self, ctx: Context) -> Answer:
        model_id = ctx.request.path_params["model"]
        if model_id in BASE_MODELS:
            return error(404, f"The model '{model_id}' does not exist or you do not own it", "model")
        if not any(m["id"] == model_id for m in self._models(ctx.org)):
            return error(404, f"The model '{model_id}' does not exist", "model")
        self.deleted_models.add(model_id)
        return Answer(body={"id": model_id, "object": "model", "deleted": True})

    # --- text --------------------------------------------------------------------------------------------

    @staticmethod
    def _pieces(model: str, text: str) -> list[str]:
        if model.startswith("test-chunks-"):
            return ["x"] * int(model.rsplit("-", 1)[1])
        words = text.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    async def create_completion(self, ctx: Context) -> Answer:
        body = ctx.body
        text = "This is indeed a test"
        base = {"id": "cmpl-test", "object": "text_completion", "created": int(time.time()), "model": body["model"]}
        if body.get("stream"):
            pieces = self._pieces(body["model"], text)

            async def events() -> AsyncIterator[JSON]:
                for index, piece in enumerate(pieces):
                    last = index == len(pieces) - 1
                    choice = {"text": piece, "index": 0, "logprobs": None, "finish_reason": "stop" if last else None}
                    yield {**base, "choices": [choice]}

            return Answer(events=events())
        n = int(body.get("n") or 1)
        choices = [{"text": text, "index": i, "logprobs": None, "finish_reason": "stop"} for i in range(n)]
        return Answer(body={**base, "choices": choices, "usage": _usage(5, 5)})

    async def create_chat_completion(self, ctx: Context) -> Answer:
        body = ctx.body
        text = "This is a test!"
        base = {"id": "chatcmpl-test", "created": int(time.time()), "model": body["model"]}
        if body.get("stream"):
            pieces = self._pieces(body["model"], text)

            async def events() -> AsyncIterator[JSON]:
                chunk = {**base, "object": "chat.completion.chunk"}
                yield {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
                for piece in pieces:
                    yield {**chunk, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                yield {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}

            return Answer(events=events())
        n = int(body.get("n") or 1)
        message = {"role": "assistant", "content": text}
        choices = [{"index": i, "message": message, "finish_reason": "stop"} for i in range(n)]
        return Answer(body={**base, "object": "chat.completion", "choices": choices, "usage": _usage(9, 4)})

    async def create_edit(self, ctx: Context) -> Answer:
        text = (ctx.body.get("input") or "").replace("wek", "week")
        choices = [{"text": text, "index": i} for i in range(int(ctx.body.get("n") or 1))]
        return Answer(body={"object": "edit", "created": int(time.time()), "choices": choices, "usage": _usage(25, 32)})

    async def create_embedding(self, ctx: Context) -> Answer:
        value = ctx.body["input"]
        inputs = [value] if isinstance(value, str) or (value and isinstance(value[0], int)) else value
        data = []
        for index, item in enumerate(inputs):
            digest = hashlib.sha256(json.dumps(item).encode()).digest()
            data.append({"object": "embedding", "embedding": [b / 255 - 0.5 for b in digest[:8]], "index": index})
        model = ctx.body["model"]
        return Answer(
            body={"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": 8, "total_tokens": 8}}
        )

    # --- images and audio --------------------------------------------------------------------------------

    @staticmethod
    def _images(n: Any, response_format: Any) -> Answer:
        count = int(n or 1)
        if response_format == "b64_json":
            data = [{"b64_json": TINY_PNG} for _ in range(count)]
        else:
            data = [{"url": f"https://images.test/{i}.png"} for i in range(count)]
        return Answer(body={"created": int(time.time()), "data": data})

    async def create_image(self, ctx: Context) -> Answer:
        return self._images(ctx.body.get("n"), ctx.body.get("response_format"))

    async def create_image_upload(self, ctx: Context) -> Answer:
        return self._images(ctx.form.get("n"), ctx.form.get("response_format"))

    async def create_audio(self, ctx: Context) -> Answer:
        text = "Imagine the wildest idea that you've ever had."
        response_format = ctx.form.get("response_format") or "json"
        if response_format == "text":
            return Answer(text=text + "\n")
        if response_format == "srt":
            return Answer(text=f"1\n00:00:00,000 --> 00:00:02,000\n{text}\n\n")
        if response_format == "vtt":
            return Answer(text=f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n{text}\n\n")
        if response_format == "verbose_json":
            segment = {"id": 0, "start": 0.0, "end": 2.0, "text": text}
            task = "translate" if ctx.request.url.path.endswith("translations") else "transcribe"
            body = {"task": task, "language": "english", "duration": 2.0, "text": text, "segments": [segment]}
            return Answer(body=body)
        return Answer(body={"text": text})

    # --- files ---------------------------------------------------------------------------------------------

    async def list_files(self, ctx: Context) -> Answer:
        order = ctx.query.get("order", "desc")
        limit = int(ctx.query.get("limit", "10000"))
        files, more = self.store.list(ctx.org, ctx.query.get("purpose"), order, ctx.query.get("after"), limit)
        body: JSON = {"object": "list", "data": [f.to_api() for f in files], "has_more": more}
        body["first_id"] = files[0].id if files else None
        body["last_id"] = files[-1].id if files else None
        return Answer(body=body)

    async def list_files_gateway(self, ctx: Context) -> Answer:
        if not self.config.gateway_quirk:
            return error(404, "Invalid URL (GET /v1/files%20_)")
        files, _ = self.store.list(ctx.org, ctx.query.get("purpose"), "desc", None, 10000)
        return Answer(body={"object": "list", "data": [f.to_api() for f in files]})

    async def create_file(self, ctx: Context) -> Answer:
        upload = ctx.form["file"]
        assert isinstance(upload, UploadFile)
        await upload.seek(0)
        stored = await asyncio.to_thread(
            self.store.add, ctx.org, upload.filename or "upload", str(ctx.form["purpose"]), upload.file
        )
        return Answer(body=stored.to_api())

    def _file(self, ctx: Context) -> Any:
        return self.store.get(ctx.org, ctx.request.path_params["file_id"])

    async def retrieve_file(self, ctx: Context) -> Answer:
        stored = self._file(ctx)
        return Answer(body=stored.to_api()) if stored else error(404, "No such File object", "id")

    async def delete_file(self, ctx: Context) -> Answer:
        file_id = ctx.request.path_params["file_id"]
        if not self.store.delete(ctx.org, file_id):
            return error(404, "No such File object", "id")
        return Answer(body={"id": file_id, "object": "file", "deleted": True})

    async def download_file(self, ctx: Context) -> Answer:
        stored = self._file(ctx)
        return Answer(file=self.store.path(stored)) if stored else error(404, "No such File object", "id")

    # --- fine-tunes ---------------------------------------------------------------------------------------

    def _job(self, ctx: Context) -> JSON | None:
        job_id = ctx.request.path_params["fine_tune_id"]
        return self.fine_tunes.get(job_id) if self.fine_tune_orgs.get(job_id) == ctx.org else None

    @staticmethod
    def _event(message: str) -> JSON:
        return {"object": "fine-tune-event", "created_at": int(time.time()), "level": "info", "message": message}

    def _advance(self, job: JSON) -> bool:
        """One step of the job's state machine: pending -> running -> succeeded. False once it has ended."""
        if job["status"] == "pending":
            job["status"] = "running"
            job["events"].append(self._event("Job started."))
        elif job["status"] == "running":
            job["status"] = "succeeded"
            job["fine_tuned_model"] = f"{job['model']}:ft-{job['organization_id']}-{job['id'][-6:]}"
            job["events"].append(self._event("Job succeeded."))
        else:
            return False
        job["updated_at"] = int(time.time())
        return True

    async def create_fine_tune(self, ctx: Context) -> Answer:
        body = ctx.body
        training = self.store.get(ctx.org, body["training_file"])
        if training is None or training.purpose != "fine-tune":
            return error(404, f"No fine-tune file {body['training_file']} in this organization", "training_file")
        validation = None
        if body.get("validation_file"):
            validation = self.store.get(ctx.org, body["validation_file"])
            if validation is None:
                return error(404, f"No file {body['validation_file']} in this organization", "validation_file")
        job_id = f"ft-{hashlib.sha256(f'{ctx.org}{time.time_ns()}'.encode()).hexdigest()[:24]}"
        now = int(time.time())
        hyper = {"n_epochs": body.get("n_epochs") or 4, "batch_size": body.get("batch_size")}
        hyper |= {"prompt_loss_weight": body.get("prompt_loss_weight") or 0.01}
        hyper |= {"learning_rate_multiplier": body.get("learning_rate_multiplier")}
        job = {
            "id": job_id,
            "object": "fine-tune",
            "created_at": now,
            "updated_at": now,
            "model": body.get("model") or "curie",
            "fine_tuned_model": None,
            "organization_id": ctx.org,
            "status": "pending",
            "hyperparams": hyper,
            "training_files": [training.to_api()],
            "validation_files": [validation.to_api()] if validation else [],
            "result_files": [],
            "events": [self._event("Created fine-tune: " + job_id)],
        }
        self.fine_tunes[job_id] = job
        self.fine_tune_orgs[job_id] = ctx.org
        return Answer(body=job)

    async def list_fine_tunes(self, ctx: Context) -> Answer:
        jobs = [j for i, j in self.fine_tunes.items() if self.fine_tune_orgs[i] == ctx.org]
        return Answer(body={"object": "list", "data": jobs})

    async def retrieve_fine_tune(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        return Answer(body=job) if job else error(404, "No such fine-tune job", "fine_tune_id")

    async def cancel_fine_tune(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        if job is None:
            return error(404, "No such fine-tune job", "fine_tune_id")
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return Answer(body=job)  # a job that has ended stays as it ended: cancelling it again changes nothing
        job["status"] = "cancelled"
        job["updated_at"] = int(time.time())
        job["events"].append(self._event("Job cancelled."))
        return Answer(body=job)

    async def list_fine_tune_events(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        if job is None:
            return error(404, "No such fine-tune job", "fine_tune_id")
        if ctx.query.get("stream") != "true":
            return Answer(body={"object": "list", "data": list(job["events"])})
        step = self.config.fine_tune_step

        async def events() -> AsyncIterator[JSON]:
            sent = 0
            while True:
                while sent < len(job["events"]):
                    yield job["events"][sent]
                    sent += 1
                if job["status"] in ("succeeded", "failed", "cancelled"):
                    return
                await asyncio.sleep(step)
                if job["status"] not in ("succeeded", "failed", "cancelled"):
                    self._advance(job)

        return Answer(events=events())


def _usage(prompt: int, completion: int) -> JSON:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _operation_for(method: str, target: str) -> JSON:
    from tests.helpers.openapi_validation import _operation

    return _operation(Exchange(method, target, {}))


async def _not_found(request: Request, exc: Exception) -> Response:
    """A path no route matches (a model ID with a newline, say) answers the spec's JSON error, not plain text."""
    body = {"error": {"message": f"Invalid URL ({request.method} {request.url.path})", "type": "invalid_request_error"}}
    return Response(json.dumps(body), 404, media_type="application/json")


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
    server = TestServer(config)
    e = server.endpoint
    table: dict[str, dict[str, Any]] = {
        "/v1/models": {"GET": e(server.list_models)},
        "/v1/models/{model:path}": {"GET": e(server.retrieve_model), "DELETE": e(server.delete_model)},
        "/v1/completions": {"POST": e(server.create_completion)},
        "/v1/chat/completions": {"POST": e(server.create_chat_completion)},
        "/v1/edits": {"POST": e(server.create_edit)},
        "/v1/images/generations": {"POST": e(server.create_image)},
        "/v1/images/edits": {"POST": e(server.create_image_upload, upload=True)},
        "/v1/images/variations": {"POST": e(server.create_image_upload, upload=True)},
        "/v1/embeddings": {"POST": e(server.create_embedding)},
        "/v1/audio/transcriptions": {"POST": e(server.create_audio, upload=True)},
        "/v1/audio/translations": {"POST": e(server.create_audio, upload=True)},
        "/v1/files": {"GET": e(server.list_files), "POST": e(server.create_file, upload=True)},
        # The server decodes the path once: the gateway's raw /v1/files%2520_ arrives here as /v1/files%20_.
        "/v1/files%20_": {"GET": e(server.list_files_gateway)},
        "/v1/files/{file_id}": {"GET": e(server.retrieve_file), "DELETE": e(server.delete_file)},
        "/v1/files/{file_id}/content": {"GET": e(server.download_file)},
        "/v1/fine-tunes": {"GET": e(server.list_fine_tunes), "POST": e(server.create_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}": {"GET": e(server.retrieve_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}/cancel": {"POST": e(server.cancel_fine_tune)},
        "/v1/fine-tunes/{fine_tune_id}/events": {"GET": e(server.list_fine_tune_events)},
    }
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    routes = [Route(path, _dispatch(handlers), methods=every) for path, handlers in table.items()]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.state.server = server
    return app
