"""``openai-api``: files, models, chat and fine-tunes from a terminal, on the facade (``oa.OpenAI``) and nothing else.

Human output (tables, sizes in human units, local times) goes to stdout, progress bars to stderr; ``--json`` puts
machine output alone on stdout. Errors are one line on stderr: exit 1 for API errors, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NoReturn

import openai_api as oa
from openai_api_client.api.files import create_file
from openai_api_client.models import ChatCompletionRequestMessage, CreateFileRequest
from openai_api_client.types import UNSET, File

EXIT_API_ERROR = 1
EXIT_USAGE = 2
CHUNK_SIZE = 1 << 16

Progress = Callable[[int, int | None], None]


class UsageError(Exception):
    """A mistake in how the command was called (exit 2)."""


class LocalError(Exception):
    """Something on this machine stops the command: a target folder missing or read-only, an unusable name (exit 1)."""


def _rich() -> Any:
    try:
        import rich.console
        import rich.progress
        import rich.table
    except ImportError:  # pragma: no cover - the [cli] extra installs it
        raise UsageError("the command line needs rich: pip install 'openai-api-client[cli]'") from None
    return rich


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError


def _local_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


class Output:
    """Where results go: JSON alone on stdout with ``--json``, tables and text otherwise."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            self._console = _rich().console.Console(highlight=False, soft_wrap=True)
        return self._console

    def json(self, value: Any) -> None:
        sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

    def result(self, model: Any, lines: Callable[[], list[str]]) -> None:
        if self.as_json:
            self.json(model.to_dict() if hasattr(model, "to_dict") else model)
        else:
            for line in lines():
                self.console.print(line, markup=False)

    def table(self, items: list[Any], columns: list[tuple[str, Callable[[Any], str]]], title: str) -> None:
        if self.as_json:
            self.json([item.to_dict() for item in items])
            return
        if not sys.stdout.isatty():
            # Piped: one row a line, tab-separated, never wrapped, for grep, cut and awk.
            sys.stdout.write("\t".join(name for name, _ in columns) + "\n")
            for item in items:
                sys.stdout.write("\t".join(render(item) for _, render in columns) + "\n")
            return
        table = _rich().table.Table(title=title, title_justify="left")
        for name, _ in columns:
            table.add_column(name, overflow="fold")
        for item in items:
            table.add_row(*(render(item) for _, render in columns))
        self.console.print(table)


@contextmanager
def _progress(description: str, enabled: bool) -> Iterator[Progress]:
    """A progress bar on stderr (bytes, rate, time left) when stderr is a terminal; otherwise nothing."""
    if not enabled or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    rich = _rich()
    columns = (
        rich.progress.TextColumn("{task.description}"),
        rich.progress.BarColumn(),
        rich.progress.DownloadColumn(binary_units=True),
        rich.progress.TransferSpeedColumn(),
        rich.progress.TimeRemainingColumn(),
    )
    with rich.progress.Progress(*columns, console=rich.console.Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class _ReadProgress(io.BufferedReader):
    """A file the facade uploads from, telling ``progress`` how far its reads got.

    The facade takes any binary file and reads it in chunks (rewinding it for a retry): the position after each
    ``read`` is the progress. The local checks read lines (not counted) and rewind before the upload starts.
    """

    def __init__(self, path: Path, progress: Progress) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._progress = progress
        self._total = os.fstat(self.fileno()).st_size

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self._progress(self.tell(), self._total)
        return data


@contextmanager
def _partial_file(target: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``target``, renamed onto it once complete; removed, whatever stops the writing."""
    part = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
    try:
        with part.open("xb") as out:
            yield out
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def _file_lines(f: Any) -> list[str]:
    return [
        f"id:       {f.id}",
        f"filename: {f.filename}",
        f"purpose:  {f.purpose}",
        f"size:     {_human_size(f.bytes_)} ({f.bytes_} bytes)",
        f"created:  {_local_time(f.created_at)}",
    ]


_FILE_COLUMNS: list[tuple[str, Callable[[Any], str]]] = [
    ("ID", lambda f: f.id),
    ("Filename", lambda f: f.filename),
    ("Purpose", lambda f: str(getattr(f.purpose, "value", f.purpose))),
    ("Size", lambda f: _human_size(f.bytes_)),
    ("Created", lambda f: _local_time(f.created_at)),
]


def _status(value: Any) -> str:
    return str(getattr(value, "value", value))


def _job_lines(job: Any) -> list[str]:
    lines = [f"id:      {job.id}", f"model:   {job.model}", f"status:  {_status(job.status)}"]
    lines.append(f"created: {_local_time(job.created_at)}")
    if isinstance(job.fine_tuned_model, str):
        lines.append(f"result:  {job.fine_tuned_model}")
    return lines


# --- commands --------------------------------------------------------------------------------------------------


def files_upload(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    path = Path(args.path)
    if not path.is_file():
        raise UsageError(f"no file at {path}")
    with _progress(f"uploading {path.name}", not out.as_json) as progress, _ReadProgress(path, progress) as file:
        if args.no_validate:
            # The facade always checks a file against the spec's limits first; unchecked, the generated function.
            body = CreateFileRequest(file=File(payload=file, file_name=path.name), purpose=args.purpose)
            uploaded = oa.call(create_file.sync_detailed, client=client.http, body=body)
        else:
            uploaded = client.files.create(file=file, purpose=args.purpose)
    out.result(uploaded, lambda: ["uploaded", *_file_lines(uploaded)])


def _given(value: Any) -> Any:
    """An option's value, or UNSET when it was not given (0 and "" are values, sent as given)."""
    return UNSET if value is None else value


def files_list(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    # On a gateway client the library asks at the gateway's documented list path first.
    purpose, limit, order = _given(args.purpose or None), _given(args.limit), _given(args.order or None)
    page = client.files.list(purpose=purpose, limit=limit, order=order)
    files = list(page) if args.all else list(page.data)
    out.table(files, _FILE_COLUMNS, f"{len(files)} files")


def files_get(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    found = client.files.retrieve(args.id)
    out.result(found, lambda: _file_lines(found))


def _download_target(args: argparse.Namespace, client: oa.OpenAI) -> Path | None:
    """Where a download goes (None: standard output), checked before a byte is asked for."""
    if args.output == "-":
        return None
    if args.output:
        target = Path(args.output)
    else:
        info = client.files.retrieve(args.id)
        name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if name in ("", ".", "..") or "\0" in name or any(ord(c) < 32 for c in name):
            raise LocalError(f"the server's filename {info.filename!r} cannot name a local file; pass -o PATH")
        target = Path(name)
    folder = target.parent
    if not folder.is_dir():
        raise LocalError(f"cannot save to {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise LocalError(f"cannot save to {target}: the folder {folder} is not writable")
    if target.is_dir():
        raise LocalError(f"cannot save to {target}: it is a folder")
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists; pass --force to overwrite it")
    return target


def files_download(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    target = _download_target(args, client)
    with client.files.with_streaming_response.content(args.id) as response:
        if target is None:
            for chunk in response.iter_bytes(CHUNK_SIZE):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return
        length = response.headers.get("content-length", "")
        total = int(length) if length.isdigit() else None
        written = 0
        with _progress(f"downloading {target.name}", not out.as_json) as progress, _partial_file(target) as file:
            for chunk in response.iter_bytes(CHUNK_SIZE):
                file.write(chunk)
                written += len(chunk)
                progress(written, total)
    if out.as_json:
        out.json({"id": args.id, "path": str(target), "bytes": written})
    else:
        out.console.print(f"saved {_human_size(written)} to {target}", markup=False)


def files_delete(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    deleted = client.files.delete(args.id)
    out.result(deleted, lambda: [f"deleted {deleted.id}"])


def models_list(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    models = client.models.list().data
    columns: list[tuple[str, Callable[[Any], str]]] = [("ID", lambda m: m.id), ("Owner", lambda m: m.owned_by)]
    out.table(models, columns, f"{len(models)} models")


def models_get(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    model = client.models.retrieve(args.id)
    out.result(model, lambda: [f"id:    {model.id}", f"owner: {model.owned_by}"])


def chat(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    messages = [ChatCompletionRequestMessage(role="system", content=args.system)] if args.system else []
    messages.append(ChatCompletionRequestMessage(role="user", content=args.prompt))
    if args.no_stream:
        answer = client.chat.completions.create(model=args.model, messages=messages)
        content = answer.choices[0].message.content if answer.choices else ""
        out.result(answer, lambda: [content if isinstance(content, str) else ""])
        return
    chunks = []
    with client.chat.completions.create(model=args.model, messages=messages, stream=True) as stream:
        for chunk in stream:
            chunks.append(chunk)
            if not out.as_json and chunk.choices and isinstance(chunk.choices[0].delta.content, str):
                sys.stdout.write(chunk.choices[0].delta.content)
                sys.stdout.flush()
    if out.as_json:
        out.json(oa.accumulate_chat(chunks).to_dict())
    else:
        sys.stdout.write("\n")


def fine_tunes_create(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    job = client.fine_tunes.create(
        training_file=args.training_file,
        validation_file=_given(args.validation_file),
        model=_given(args.model),
        n_epochs=_given(args.n_epochs),
        suffix=_given(args.suffix),
    )
    out.result(job, lambda: ["created", *_job_lines(job)])


def fine_tunes_list(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    jobs = client.fine_tunes.list().data
    columns: list[tuple[str, Callable[[Any], str]]] = [
        ("ID", lambda j: j.id),
        ("Model", lambda j: j.model),
        ("Status", lambda j: _status(j.status)),
        ("Created", lambda j: _local_time(j.created_at)),
    ]
    out.table(jobs, columns, f"{len(jobs)} fine-tunes")


def fine_tunes_get(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    job = client.fine_tunes.retrieve(args.id)
    out.result(job, lambda: _job_lines(job))


def fine_tunes_cancel(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    job = client.fine_tunes.cancel(args.id)
    out.result(job, lambda: _job_lines(job))


def embeddings_create(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    result = client.embeddings.create(model=args.model, input=list(args.text))
    lines = [f"{item.index}: {len(item.embedding)} dimensions" for item in result.data]
    out.result(result, lambda: [*lines, f"tokens: {result.usage.total_tokens}"])


def images_generate(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    options = {"n": _given(args.n), "size": _given(args.size), "response_format": _given(args.response_format)}
    result = client.images.generate(prompt=args.prompt, **options)
    out.result(result, lambda: [str(getattr(item, "url", "") or "(base64 image)") for item in result.data])


def _audio(args: argparse.Namespace, client: oa.OpenAI, out: Output, translate: bool) -> None:
    path = Path(args.path)
    if not path.is_file():
        raise UsageError(f"no file at {path}")
    options = {"prompt": _given(args.prompt), "response_format": _given(args.response_format)}
    if translate:
        result: Any = client.audio.translations.create(file=path, model=args.model, **options)
    else:
        language = _given(args.language)
        result = client.audio.transcriptions.create(file=path, model=args.model, language=language, **options)
    if isinstance(result, str):  # text, srt and vtt answers
        sys.stdout.write(result if result.endswith("\n") else result + "\n")
        return
    out.result(result, lambda: [result.text])


def audio_transcribe(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    _audio(args, client, out, translate=False)


def audio_translate(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    _audio(args, client, out, translate=True)


def fine_tunes_events(args: argparse.Namespace, client: oa.OpenAI, out: Output) -> None:
    def show(event: Any) -> None:
        if out.as_json:
            sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.console.print(f"{_local_time(event.created_at)}  {event.level:<5}  {event.message}", markup=False)
        sys.stdout.flush()

    if args.follow:
        with client.fine_tunes.stream_events(args.id) as stream:
            for event in stream:
                show(event)
        return
    for event in client.fine_tunes.list_events(args.id).data:
        show(event)


# --- parsing ---------------------------------------------------------------------------------------------------


_GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--base-url",), {"help": "API root (default: OPENAI_BASE_URL or https://api.openai.com/v1)"}),
    (("--api-key",), {"help": "API key (default: OPENAI_API_KEY)"}),
    (("--gateway",), {"action": "store_true", "help": "the api.mygptlife.com gateway at another URL"}),
    (("--timeout",), {"type": float, "help": "seconds for each wait on the network (default 600, 5 to connect)"}),
    (("--deadline",), {"type": float, "help": "seconds one request may take in all, retries included (default 1800)"}),
    (("--max-retries",), {"type": int, "help": "retries of a failed request (default 2)"}),
    (("--json",), {"action": "store_true", "help": "machine output on stdout, nothing else there"}),
    (("-v", "--verbose"), {"action": "store_true", "help": "debug logging on stderr (the key is never shown)"}),
]


class _Parser(argparse.ArgumentParser):
    """Every command also takes the global options, before or after its name (``files list --json``)."""

    def __init__(self, *args: Any, top: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for names, options in _GLOBAL_OPTIONS:
            # Below the top, an option left out must not overwrite the top's value: no default there.
            extra: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
            self.add_argument(*names, **options, **extra)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="openai-api", description="The OpenAI API from a terminal.", top=True)
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True, parser_class=_Parser)

    files = groups.add_parser("files", help="upload, list, get, download, delete files")
    fc = files.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    upload = fc.add_parser("upload", help="upload a file, checked against the spec first")
    upload.add_argument("path")
    upload.add_argument("--purpose", required=True, choices=["assistants", "batch", "fine-tune", "vision"])
    upload.add_argument("--no-validate", action="store_true", help="skip the local checks")
    upload.set_defaults(run=files_upload)
    listing = fc.add_parser("list", help="list files")
    listing.add_argument("--purpose")
    listing.add_argument("--limit", type=int, help="page size (1 to 10000)")
    listing.add_argument("--order", choices=["asc", "desc"])
    listing.add_argument("--all", action="store_true", help="every page, not only the first")
    listing.set_defaults(run=files_list)
    for name, run, text in (("get", files_get, "show a file"), ("delete", files_delete, "delete a file")):
        command = fc.add_parser(name, help=text)
        command.add_argument("id")
        command.set_defaults(run=run)
    download = fc.add_parser("download", help="save a file's content")
    download.add_argument("id")
    download.add_argument("-o", "--output", help="where to save it (default: the file's name)")
    download.add_argument("--force", action="store_true", help="overwrite an existing file")
    download.set_defaults(run=files_download)

    models = groups.add_parser("models", help="list and show models")
    mc = models.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    mc.add_parser("list", help="list models").set_defaults(run=models_list)
    get_model = mc.add_parser("get", help="show a model")
    get_model.add_argument("id")
    get_model.set_defaults(run=models_get)

    chat_parser = groups.add_parser("chat", help="ask a chat model; the answer streams as it arrives")
    chat_parser.add_argument("prompt")
    chat_parser.add_argument("--model", default="gpt-3.5-turbo")
    chat_parser.add_argument("--system", help="a system message first")
    chat_parser.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    chat_parser.set_defaults(run=chat)

    embeddings = groups.add_parser("embeddings", help="embedding vectors for texts")
    ec = embeddings.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    embed = ec.add_parser("create", help="one vector per text")
    embed.add_argument("text", nargs="+")
    embed.add_argument("--model", default="text-embedding-ada-002")
    embed.set_defaults(run=embeddings_create)

    images = groups.add_parser("images", help="generate images")
    ic = images.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    generate = ic.add_parser("generate", help="images from a prompt; prints their URLs")
    generate.add_argument("prompt")
    generate.add_argument("--n", type=int, help="how many (1 to 10)")
    generate.add_argument("--size", help="256x256, 512x512, 1024x1024, ...")
    generate.add_argument("--response-format", help="url or b64_json")
    generate.set_defaults(run=images_generate)

    audio = groups.add_parser("audio", help="transcribe or translate audio")
    ac = audio.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    for name, run, text in (
        ("transcribe", audio_transcribe, "the words of an audio file, in its language"),
        ("translate", audio_translate, "the words of an audio file, in English"),
    ):
        command = ac.add_parser(name, help=text)
        command.add_argument("path")
        command.add_argument("--model", default="whisper-1")
        command.add_argument("--prompt")
        command.add_argument("--response-format", help="json, text, srt, verbose_json or vtt")
        if name == "transcribe":
            command.add_argument("--language", help="ISO-639-1 code of the spoken language")
        command.set_defaults(run=run)

    tunes = groups.add_parser("fine-tunes", help="legacy fine-tunes")
    tc = tunes.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=_Parser)
    create = tc.add_parser("create", help="start a fine-tune")
    create.add_argument("--training-file", required=True)
    create.add_argument("--validation-file")
    create.add_argument("--model")
    create.add_argument("--n-epochs", type=int)
    create.add_argument("--suffix")
    create.set_defaults(run=fine_tunes_create)
    tc.add_parser("list", help="list fine-tunes").set_defaults(run=fine_tunes_list)
    for name, run, text in (("get", fine_tunes_get, "show a fine-tune"), ("cancel", fine_tunes_cancel, "cancel it")):
        command = tc.add_parser(name, help=text)
        command.add_argument("id")
        command.set_defaults(run=run)
    events = tc.add_parser("events", help="a fine-tune's events")
    events.add_argument("id")
    events.add_argument("--follow", action="store_true", help="stream events until the job ends")
    events.set_defaults(run=fine_tunes_events)
    return parser


def _client(args: argparse.Namespace) -> oa.OpenAI:
    options: dict[str, Any] = {"api_key": args.api_key, "base_url": args.base_url, "gateway": args.gateway or None}
    for name in ("timeout", "deadline", "max_retries"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    return oa.OpenAI(**options)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        for name in ("openai_api", "httpx"):
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).setLevel(logging.DEBUG)
    out = Output(args.json)
    try:
        with _client(args) as client:
            args.run(args, client, out)
    except UsageError as exc:
        print(f"openai-api: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except oa.MissingAPIKeyError as exc:
        print(f"openai-api: error: {exc} Or pass --api-key.", file=sys.stderr)
        return EXIT_USAGE
    except oa.InvalidFileError as exc:
        print(f"openai-api: error: {exc.describe('pass --no-validate to skip these local checks')}", file=sys.stderr)
        return EXIT_API_ERROR
    except oa.OpenAIError as exc:
        print(f"openai-api: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_API_ERROR
    except LocalError as exc:
        print(f"openai-api: error: {exc}", file=sys.stderr)
        return EXIT_API_ERROR
    except KeyboardInterrupt:
        print("openai-api: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"openai-api: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_API_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
