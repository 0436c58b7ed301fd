"""What each operation does: models, text, images, audio, files and fine-tune jobs, with their state. A handler is
the method named after its operationId (``createChatCompletion``: ``create_chat_completion``); an operation of the
spec without one answers the spec's example."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import json
import re
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.datastructures import UploadFile

from openai_api._spec import snake
from openai_api_server._config import ServerConfig
from openai_api_server._context import Answer, Context, Handler, error
from openai_api_server._ids import Ids
from openai_api_server._spec import plausible_id
from openai_api_server.errors import model_not_found_message
from openai_api_server.store import FileStore

JSON = dict[str, Any]
BASE_MODELS = ["gpt-3.5-turbo", "text-davinci-003", "text-davinci-edit-001", "text-embedding-ada-002", "whisper-1"]
BASE_MODELS += ["ada", "babbage", "curie", "davinci"]
TINY_PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a")).decode()
# ``test-chunks-N`` is a model every organization has: its streams send N one-character chunks.
_CHUNKS_MODEL = re.compile(r"^test-chunks-(\d{1,4})$")
_ENDED = ("succeeded", "failed", "cancelled")


def _usage(prompt: int, completion: int) -> JSON:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _not_found(what: str, value: str, param: str) -> Answer:
    return error(404, f"No such {what}: {value}", param)


class Operations:
    """The handlers, over the server's configuration, ids and storage (the app's ``ApiServer`` owns them)."""

    def __init__(self, config: ServerConfig, ids: Ids, store: FileStore) -> None:
        self.config = config
        self.ids = ids
        self.store = store
        self.jobs = store.jobs
        # The jobs a kept data dir holds, in the order they were made; every change is written back (_save).
        self.fine_tunes: dict[str, JSON] = {}
        self.fine_tune_orgs: dict[str, str] = {}
        self.fine_tune_started: dict[str, float] = {}  # wall-clock time.time(), which a restart does not reset
        for stored in self.jobs.all():
            self.fine_tunes[stored.job["id"]] = stored.job
            self.fine_tune_orgs[stored.job["id"]] = stored.org
            self.fine_tune_started[stored.job["id"]] = stored.started
        self.deleted_models: set[str] = self.jobs.deleted_models()

    def handlers(self, operation_ids: Iterable[str]) -> dict[str, Handler]:
        """The handler of each operation that has one."""
        found = {op_id: getattr(self, snake(op_id), None) for op_id in operation_ids}
        return {op_id: method for op_id, method in found.items() if inspect.iscoroutinefunction(method)}

    def preload(self) -> None:
        """The configured files, stored before the first request (``ServerConfig.files``); a file a kept data dir
        already holds (same organization, name, purpose and content) is not stored again at each restart."""
        default_org = next(iter(self.config.keys.values()), "org-a")
        for item in self.config.files:
            org = item.org or default_org
            digest = hashlib.sha256()
            with item.path.open("rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                if self.store.find(org, item.path.name, item.purpose, digest.hexdigest()) is not None:
                    continue
                source.seek(0)
                self.store.add(org, item.path.name, item.purpose, source)

    # --- models ----------------------------------------------------------------------------------------

    def _models(self, org: str) -> list[JSON]:
        base = {"object": "model", "created": 1677610602, "owned_by": "openai", "permission": []}
        names = [*BASE_MODELS, *(m for m in self.config.models if m not in BASE_MODELS)]
        models = [{**base, "id": m} for m in names if m not in self.deleted_models]
        for job_id, job in self.fine_tunes.items():
            self._progress(job_id)
            name = job["fine_tuned_model"]
            if self.fine_tune_orgs[job_id] == org and name and name not in self.deleted_models:
                models.append({"id": name, "object": "model", "created": job["updated_at"], "owned_by": org})
        return models

    def _model_missing(self, org: str, model: str) -> Answer | None:
        """The real API's 404 for a model the organization cannot use."""
        if _CHUNKS_MODEL.match(model) or any(m["id"] == model for m in self._models(org)):
            return None
        return error(404, model_not_found_message(model), "model", "model_not_found")

    async def list_models(self, ctx: Context) -> Answer:
        return Answer(body={"object": "list", "data": self._models(ctx.org)})

    async def retrieve_model(self, ctx: Context) -> Answer:
        model_id = ctx.params["model"]
        for model in self._models(ctx.org):
            if model["id"] == model_id:
                return Answer(body=model)
        return error(404, model_not_found_message(model_id), "model", "model_not_found")

    async def delete_model(self, ctx: Context) -> Answer:
        model_id = ctx.params["model"]
        if model_id in BASE_MODELS or model_id in self.config.models:
            return error(404, f"The model `{model_id}` does not exist or you do not own it.", "model")
        missing = self._model_missing(ctx.org, model_id)
        if missing is not None:
            return missing
        self.jobs.delete_model(model_id)
        self.deleted_models.add(model_id)
        return Answer(body={"id": model_id, "object": "model", "deleted": True})

    # --- text ------------------------------------------------------------------------------------------

    @staticmethod
    def _pieces(model: str, text: str) -> list[str]:
        chunks = _CHUNKS_MODEL.match(model)
        if chunks:
            return ["x"] * int(chunks.group(1))
        words = text.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    async def create_completion(self, ctx: Context) -> Answer:
        body = ctx.body
        missing = self._model_missing(ctx.org, body["model"])
        if missing is not None:
            return missing
        text = "This is indeed a test"
        base = {"id": self.ids.new("cmpl-"), "object": "text_completion", "created": self.ids.now()}
        base["model"] = body["model"]
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
        missing = self._model_missing(ctx.org, body["model"])
        if missing is not None:
            return missing
        text = "This is a test!"
        base = {"id": self.ids.new("chatcmpl-"), "created": self.ids.now(), "model": body["model"]}
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
        missing = self._model_missing(ctx.org, ctx.body["model"])
        if missing is not None:
            return missing
        text = (ctx.body.get("input") or "").replace("wek", "week")
        choices = [{"text": text, "index": i} for i in range(int(ctx.body.get("n") or 1))]
        return Answer(body={"object": "edit", "created": self.ids.now(), "choices": choices, "usage": _usage(25, 32)})

    async def create_embedding(self, ctx: Context) -> Answer:
        model = ctx.body["model"]
        missing = self._model_missing(ctx.org, model)
        if missing is not None:
            return missing
        value = ctx.body["input"]
        inputs = [value] if isinstance(value, str) or (value and isinstance(value[0], int)) else value
        data = []
        for index, item in enumerate(inputs):
            digest = hashlib.sha256(json.dumps(item).encode()).digest()
            data.append({"object": "embedding", "embedding": [b / 255 - 0.5 for b in digest[:8]], "index": index})
        usage = {"prompt_tokens": 8, "total_tokens": 8}
        return Answer(body={"object": "list", "data": data, "model": model, "usage": usage})

    # --- images and audio ------------------------------------------------------------------------------

    def _images(self, n: Any, response_format: Any) -> Answer:
        count = int(n or 1)
        if response_format == "b64_json":
            data = [{"b64_json": TINY_PNG} for _ in range(count)]
        else:
            data = [{"url": f"https://images.test/{i}.png"} for i in range(count)]
        return Answer(body={"created": self.ids.now(), "data": data})

    async def create_image(self, ctx: Context) -> Answer:
        return self._images(ctx.body.get("n"), ctx.body.get("response_format"))

    async def create_image_edit(self, ctx: Context) -> Answer:
        return self._images(ctx.form.get("n"), ctx.form.get("response_format"))

    create_image_variation = create_image_edit

    async def create_transcription(self, ctx: Context) -> Answer:
        missing = self._model_missing(ctx.org, str(ctx.form.get("model")))
        if missing is not None:
            return missing
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
            task = "translate" if ctx.operation_id == "createTranslation" else "transcribe"
            body = {"task": task, "language": "english", "duration": 2.0, "text": text, "segments": [segment]}
            return Answer(body=body)
        return Answer(body={"text": text})

    create_translation = create_transcription

    # --- files -----------------------------------------------------------------------------------------

    async def list_files(self, ctx: Context) -> Answer:
        order = ctx.query.get("order", "desc")
        limit = int(ctx.query.get("limit", "10000"))
        files, more = self.store.list(ctx.org, ctx.query.get("purpose"), order, ctx.query.get("after"), limit)
        body: JSON = {"object": "list", "data": [f.to_api() for f in files], "has_more": more}
        body["first_id"] = files[0].id if files else None
        body["last_id"] = files[-1].id if files else None
        return Answer(body=body)

    async def list_files_gateway(self, ctx: Context) -> Answer:
        files, _ = self.store.list(ctx.org, ctx.query.get("purpose"), "desc", None, 10000)
        return Answer(body={"object": "list", "data": [f.to_api() for f in files]})

    async def create_file(self, ctx: Context) -> Answer:
        upload = ctx.form["file"]
        assert isinstance(upload, UploadFile)  # the plumbing refused a file part without a filename
        await upload.seek(0)
        purpose = str(ctx.form["purpose"])
        stored = await asyncio.to_thread(self.store.add, ctx.org, upload.filename or "upload", purpose, upload.file)
        return Answer(body=stored.to_api())

    def _file_id(self, ctx: Context) -> str | None:
        file_id: str = ctx.params["file_id"]
        return file_id if plausible_id(file_id) else None

    async def retrieve_file(self, ctx: Context) -> Answer:
        file_id = self._file_id(ctx)
        stored = self.store.get(ctx.org, file_id) if file_id else None
        if stored is None:
            answer = _not_found("File object", ctx.params["file_id"], "id")
            answer.checked = bool(file_id)
            return answer
        return Answer(body=stored.to_api())

    async def delete_file(self, ctx: Context) -> Answer:
        file_id = self._file_id(ctx)
        if not file_id or not self.store.delete(ctx.org, file_id):
            answer = _not_found("File object", ctx.params["file_id"], "id")
            answer.checked = bool(file_id)
            return answer
        return Answer(body={"id": file_id, "object": "file", "deleted": True})

    async def download_file(self, ctx: Context) -> Answer:
        file_id = self._file_id(ctx)
        opened = await asyncio.to_thread(self.store.open, ctx.org, file_id) if file_id else None
        if opened is None:
            answer = _not_found("File object", ctx.params["file_id"], "id")
            answer.checked = bool(file_id)
            return answer
        stored, handle = opened
        return Answer(content=(handle, stored.bytes))

    # --- fine-tunes ------------------------------------------------------------------------------------

    def _job(self, ctx: Context) -> JSON | None:
        job_id = ctx.params["fine_tune_id"]
        if self.fine_tune_orgs.get(job_id) != ctx.org:
            return None
        self._progress(job_id)
        return self.fine_tunes[job_id]

    def _event(self, message: str) -> JSON:
        return {"object": "fine-tune-event", "created_at": self.ids.now(), "level": "info", "message": message}

    def _progress(self, job_id: str) -> None:
        """Moves a job along pending -> running -> succeeded, one state per ``fine_tune_step`` seconds since it was
        created (0: it has succeeded by the first time it is read)."""
        job = self.fine_tunes[job_id]
        step = self.config.fine_tune_step
        elapsed = time.time() - self.fine_tune_started[job_id]
        reached = 2 if step <= 0 else min(2, int(elapsed / step))
        status = job["status"]
        if job["status"] == "pending" and reached >= 1:
            job["status"] = "running"
            job["events"].append(self._event("Job started."))
            job["updated_at"] = self.ids.now()
        if job["status"] == "running" and reached >= 2:
            job["status"] = "succeeded"
            job["fine_tuned_model"] = f"{job['model']}:ft-{job['organization_id']}-{job['id'][-6:]}"
            job["events"].append(self._event("Job succeeded."))
            job["updated_at"] = self.ids.now()
        if job["status"] != status:
            self._save(job_id)

    def _save(self, job_id: str) -> None:
        self.jobs.save(self.fine_tune_orgs[job_id], self.fine_tune_started[job_id], self.fine_tunes[job_id])

    async def create_fine_tune(self, ctx: Context) -> Answer:
        body = ctx.body
        training = self.store.get(ctx.org, body["training_file"])
        if training is None or training.purpose != "fine-tune":
            return _not_found("fine-tune file", body["training_file"], "training_file")
        validation = None
        if body.get("validation_file"):
            validation = self.store.get(ctx.org, body["validation_file"])
            if validation is None:
                return _not_found("File object", body["validation_file"], "validation_file")
        model = body.get("model") or "curie"
        missing = self._model_missing(ctx.org, model)
        if missing is not None:
            return missing
        job_id = self.jobs.new_id()
        now = self.ids.now()
        hyper = {"n_epochs": body.get("n_epochs") or 4, "batch_size": body.get("batch_size")}
        hyper |= {"prompt_loss_weight": body.get("prompt_loss_weight") or 0.01}
        hyper |= {"learning_rate_multiplier": body.get("learning_rate_multiplier")}
        job = {
            "id": job_id,
            "object": "fine-tune",
            "created_at": now,
            "updated_at": now,
            "model": model,
            "fine_tuned_model": None,
            "organization_id": ctx.org,
            "status": "pending",
            "hyperparams": hyper,
            "training_files": [training.to_api()],
            "validation_files": [validation.to_api()] if validation else [],
            "result_files": [],
            "events": [self._event("Created fine-tune: " + job_id)],
        }
        started = time.time()
        self.jobs.save(ctx.org, started, job)  # stored first: a job the API shows is one a restart keeps
        self.fine_tunes[job_id] = job
        self.fine_tune_orgs[job_id] = ctx.org
        self.fine_tune_started[job_id] = started
        return Answer(body=job)

    async def list_fine_tunes(self, ctx: Context) -> Answer:
        jobs = []
        for job_id, job in self.fine_tunes.items():
            if self.fine_tune_orgs[job_id] == ctx.org:
                self._progress(job_id)
                jobs.append(job)
        return Answer(body={"object": "list", "data": jobs})

    async def retrieve_fine_tune(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        if job is None:
            return _not_found("fine-tune job", ctx.params["fine_tune_id"], "fine_tune_id")
        return Answer(body=job)

    async def cancel_fine_tune(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        if job is None:
            return _not_found("fine-tune job", ctx.params["fine_tune_id"], "fine_tune_id")
        if job["status"] in _ENDED:
            return Answer(body=job)  # a job that has ended stays as it ended: cancelling it again changes nothing
        job["status"] = "cancelled"
        job["updated_at"] = self.ids.now()
        job["events"].append(self._event("Job cancelled."))
        self._save(job["id"])
        return Answer(body=job)

    async def list_fine_tune_events(self, ctx: Context) -> Answer:
        job = self._job(ctx)
        if job is None:
            return _not_found("fine-tune job", ctx.params["fine_tune_id"], "fine_tune_id")
        if ctx.query.get("stream") != "true":
            return Answer(body={"object": "list", "data": list(job["events"])})
        job_id = job["id"]
        poll = max(self.config.fine_tune_step / 4, 0.01)

        async def events() -> AsyncIterator[JSON]:
            sent = 0
            while True:
                self._progress(job_id)
                while sent < len(job["events"]):
                    yield job["events"][sent]
                    sent += 1
                if job["status"] in _ENDED:
                    return
                await asyncio.sleep(poll)

        return Answer(events=events())
