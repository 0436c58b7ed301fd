"""Writes ``resources.py``: one client object's resources (``client.files.list(...)``), from the spec.

Each operation's ``x-sdk-method`` (``chat.completions.create``) places it; ``x-sdk-stream-method`` names the
streaming form of an operation that also answers ``text/event-stream``. Parameter and return types are read from
the functions and models openapi-python-client has just generated (so they never drift from them), descriptions
from the spec. The methods call the generated functions through a *requester* that the hand-written layer gives
(typed errors, uploads, downloads and streams live there), so the generated package does not import it.
"""

from __future__ import annotations

import ast
import keyword
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCALARS = {"str", "int", "float", "bool", "None", "list", "dict", "bytes", "Any"}
_TYPES = {"Unset", "UNSET", "File"}
_WIDTH = 100


@dataclass
class _Param:
    name: str  # the method's keyword: the spec's own name
    target: str  # the generated function's or model's keyword (``input_`` for ``input``)
    annotation: str
    required: bool
    description: str
    positional: bool = False
    convert: str | None = None  # the expression turning a plain dict into the generated model


@dataclass
class _Method:
    group: tuple[str, ...]
    name: str
    operation_id: str
    module: str  # ``chat.create_chat_completion``
    kind: str  # call | upload | download | stream
    params: list[_Param]
    returns: str
    summary: str
    description: str
    body_model: str | None = None
    runtime_models: set[str] = field(default_factory=set)


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()


def _camel(parts: tuple[str, ...]) -> str:
    return "".join(word.capitalize() for part in parts for word in part.split("_"))


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for key in node["$ref"].lstrip("#/").split("/"):
            target = target[key]
        node = target
    return node


def _description(spec: dict[str, Any], schema: Any) -> str:
    if isinstance(schema, dict) and schema.get("description"):
        return str(schema["description"])
    resolved = _resolve(spec, schema)
    return str(resolved.get("description", "")) if isinstance(resolved, dict) else ""


def _split_union(annotation: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in annotation:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


class _Package:
    """What openapi-python-client generated: function signatures, model fields, TypedDict names."""

    def __init__(self, package_dir: Path) -> None:
        self.dir = package_dir
        self.modules = {path.stem: path for path in sorted((package_dir / "api").glob("*/*.py"))}
        models_init = ast.parse((package_dir / "models" / "__init__.py").read_text(encoding="utf-8"))
        self.models: set[str] = set()
        # Every relative import, wherever it sits (the models package imports them under TYPE_CHECKING and loads
        # each model on first use).
        for node in ast.walk(models_init):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                self.models.update(alias.name for alias in node.names)
        typed = ast.parse((package_dir / "typed_dicts.py").read_text(encoding="utf-8"))
        self.typed_dicts = {
            node.name
            for node in typed.body
            if isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "TypedDict" for base in node.bases)
        }

    def function(self, stem: str) -> ast.FunctionDef:
        path = self.modules.get(stem)
        if path is None:
            raise RuntimeError(f"no generated module api/*/{stem}.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name == "sync_detailed":
                return node
        raise RuntimeError(f"{path.name} has no sync_detailed")

    def module_name(self, stem: str) -> str:
        return f"{self.modules[stem].parent.name}.{stem}"

    def model_fields(self, model: str) -> list[tuple[str, str, bool]]:
        """(attribute, annotation, required) of a generated attrs model, in order."""
        tree = ast.parse((self.dir / "models" / f"{_snake(model)}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == model:
                return [
                    (item.target.id, ast.unparse(item.annotation), item.value is None)
                    for item in node.body
                    if isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id != "additional_properties"
                ]
        raise RuntimeError(f"models/{_snake(model)}.py has no class {model}")

    def convertible(self, annotation: str, value: str) -> tuple[str, str | None]:
        """Lets a plain dict stand for a generated model (its TypedDict shape types it), as the official package."""
        match = re.fullmatch(r"list\[(\w+)\]", annotation)
        if match and match.group(1) in self.models and match.group(1) in self.typed_dicts:
            model = match.group(1)
            return f"Sequence[{model} | _td.{model}]", f"[_model({model}, item) for item in {value}]"
        parts = _split_union(annotation)
        models = [p for p in parts if p in self.models and p in self.typed_dicts]
        if len(models) == 1:
            model = models[0]
            widened = " | ".join(f"{p} | _td.{p}" if p == model else p for p in parts)
            return widened, f"_model({model}, {value})"
        return annotation, None


def _methods(spec: dict[str, Any], package: _Package) -> list[_Method]:
    methods: list[_Method] = []
    seen: dict[str, str] = {}
    for path, item in spec["paths"].items():
        for verb, operation in item.items():
            if verb not in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                continue
            op_id = operation["operationId"]
            for key in ("x-sdk-method", "x-sdk-stream-method"):
                if key not in operation:
                    if key == "x-sdk-method":
                        raise RuntimeError(f"{op_id} ({verb.upper()} {path}) has no x-sdk-method")
                    continue
                dotted = str(operation[key])
                parts = dotted.split(".")
                if len(parts) < 2 or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
                    raise RuntimeError(f"{op_id}: {key} {dotted!r} is not a dotted path of identifiers")
                if dotted in seen:
                    raise RuntimeError(f"{op_id}: {key} {dotted!r} is already {seen[dotted]}")
                seen[dotted] = op_id
                methods.append(_method(spec, package, item, operation, tuple(parts[:-1]), parts[-1], key))
    groups = {m.group for m in methods}
    for method in methods:
        if (*method.group, method.name) in groups:
            raise RuntimeError(f"{method.operation_id}: {method.name!r} is both a method and a group")
    return methods


def _stream_item(spec: dict[str, Any], operation: dict[str, Any]) -> str | None:
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        media = _resolve(spec, response).get("content", {}).get("text/event-stream")
        if media is None:
            continue
        data = _resolve(spec, media["schema"])["properties"]["data"]
        for option in data.get("anyOf", [data]):
            if "contentSchema" in option:
                return str(option["contentSchema"]["$ref"]).rpartition("/")[2]
    return None


def _method(
    spec: dict[str, Any],
    package: _Package,
    item: dict[str, Any],
    operation: dict[str, Any],
    group: tuple[str, ...],
    name: str,
    key: str,
) -> _Method:
    op_id = operation["operationId"]
    stem = _snake(op_id)
    function = package.function(stem)
    streamed = _stream_item(spec, operation)
    if key == "x-sdk-stream-method" and streamed is None:
        raise RuntimeError(f"{op_id} has x-sdk-stream-method but no text/event-stream answer")
    described = {}
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = _resolve(spec, parameter)
        described[_snake(parameter["name"])] = str(parameter.get("description", ""))
    params: list[_Param] = []
    body_model = None
    runtime: set[str] = set()
    kind = "call"
    arguments: list[tuple[ast.arg, bool, bool]] = [(arg, True, True) for arg in function.args.args]
    for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
        arguments.append((arg, default is None, False))
    for arg, required, is_positional in arguments:
        if arg.arg == "client" or (streamed and arg.arg == "stream"):
            continue  # the stream switch belongs to the streaming method
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        if arg.arg != "body":
            params.append(_Param(arg.arg, arg.arg, annotation, required, described.get(arg.arg, ""), is_positional))
            continue
        body_model = annotation
        runtime.add(body_model)
        content = operation["requestBody"]["content"]
        multipart = "multipart/form-data" in content
        kind = "upload" if multipart else kind
        schema = _resolve(spec, next(iter(content.values()))["schema"])
        properties = schema.get("properties", {})
        for attribute, field_annotation, required in package.model_fields(body_model):
            spec_name = attribute if attribute in properties else attribute.rstrip("_")
            if streamed and spec_name == "stream":
                continue
            convert = None
            if multipart and "File" in _split_union(field_annotation):
                field_annotation = " | ".join("FileInput" if p == "File" else p for p in _split_union(field_annotation))
            elif not multipart:
                field_annotation, convert = package.convertible(field_annotation, spec_name)
                if convert:
                    runtime.update(re.findall(r"_model\((\w+),", convert))
            params.append(
                _Param(
                    spec_name,
                    attribute,
                    field_annotation,
                    required,
                    _description(spec, properties.get(spec_name, {})),
                    convert=convert,
                )
            )
    returns = ast.unparse(function.returns).removeprefix("Response[").removesuffix("]") if function.returns else "Any"
    success = [p for p in _split_union(returns) if p not in {"ErrorResponse", "None"}]
    if success == ["File"]:
        kind, success = "download", ["bytes"]
    if key == "x-sdk-stream-method":
        kind, success = "stream", [str(streamed)]
    return _Method(
        group=group,
        name=name,
        operation_id=op_id,
        module=package.module_name(stem),
        kind=kind,
        params=params,
        returns=" | ".join(success) or "None",
        summary=str(operation.get("summary", op_id)),
        description=str(operation.get("description", "")),
        body_model=body_model,
        runtime_models=runtime,
    )


def _docstring(method: _Method, is_async: bool) -> str:
    summary = f"{method.summary}, streamed" if method.kind == "stream" else method.summary
    lines = [summary + ".", ""]
    if method.description:
        lines += [*textwrap.wrap(method.description, _WIDTH), ""]
    if method.kind == "stream":
        lines += [f"A stream (use it in a ``{'async ' if is_async else ''}with`` block) of ``{method.returns}``.", ""]
    documented = [p for p in method.params if p.description]
    extra = method.body_model is not None and method.kind != "upload"
    if documented or extra:
        lines.append("Args:")
        for param in documented:
            wrapped = textwrap.wrap(f"{param.name}: {param.description}", _WIDTH - 4, subsequent_indent="    ")
            lines += [f"    {line}" for line in wrapped]
        if extra:
            lines.append("    extra_body: Fields the spec does not list yet, sent as they are in the JSON body.")
        lines.append("")
    lines.append(f"Operation ``{method.operation_id}``; errors raise the requester's typed exceptions.")
    text = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""' + text + '\n"""'


def _annotation(param: _Param) -> str:
    # A method named `list` shadows the builtin inside its class: spell the builtin out.
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", param.annotation)


def _signature(method: _Method, is_async: bool) -> str:
    lines = ["self,"]
    positional = [p for p in method.params if p.positional]
    keyword_only = [p for p in method.params if not p.positional]
    lines += [f"{p.name}: {_annotation(p)}," for p in positional]
    extra = method.body_model is not None and method.kind != "upload"
    if keyword_only or extra:
        lines.append("*,")
    for param in sorted(keyword_only, key=lambda p: not p.required):
        default = "" if param.required else " = UNSET"
        lines.append(f"{param.name}: {_annotation(param)}{default},")
    if extra:
        lines.append("extra_body: Mapping[str, Any] | None = None,")
    if method.kind == "stream":
        returns = f"{'Async' if is_async else ''}EventStream[{method.returns}]"
    else:
        returns = method.returns
    prefix = "async def" if is_async and method.kind != "stream" else "def"
    return f"{prefix} {method.name}(\n" + "\n".join("    " + line for line in lines) + f"\n) -> {returns}:"


def _body(method: _Method, is_async: bool) -> list[str]:
    # No import statement: one in a method runs on every call (1.5 µs each, two for a call with a body). Every kind
    # hands the requester the generated module (and the models the spec names), so the requester needs no table of
    # operations: an operation the spec adds works through it as it is.
    lines = [f"{model} = _models.{model}" for model in sorted(method.runtime_models)]
    module = method.module.rpartition(".")[2]
    lines.insert(0, f'{module} = _endpoint("{method.module}")')
    a = "a" if is_async else ""
    path_args = [p for p in method.params if p.positional]
    if method.kind == "upload":
        fields = ", ".join(f'"{p.target}": {p.name}' for p in method.params if not p.positional)
        lines.append(f"fields = {{{fields}}}")
        path = "{" + ", ".join(f'"{p.target}": {p.name}' for p in path_args) + "}"
        call = f"self._requester.{a}upload({module}, {path}, {method.body_model}, _given(fields))"
        return [*lines, f'return cast("{method.returns}", {"await " if is_async else ""}{call})']
    if method.body_model:
        body_args = ", ".join(f"{p.target}={p.convert or p.name}" for p in method.params if not p.positional)
        lines.append(f"body = {method.body_model}({body_args})")
        lines.append("if extra_body:")
        lines.append("    body.additional_properties.update(extra_body)")
        call_args = [f"{p.target}={p.name}" for p in path_args] + ["body=body"]
    else:
        call_args = [f"{p.target}={p.name}" for p in method.params]
    packed = "{" + ", ".join(f'"{arg.split("=")[0]}": {arg.split("=")[1]}' for arg in call_args) + "}"
    if method.kind == "stream":
        prefix = "Async" if is_async else ""
        # The item model by its attribute: a local of its name would shadow the type the annotation names.
        call = f"self._requester.{a}stream({module}, {packed}, _models.{method.returns})"
        return [*lines, f'return cast("{prefix}EventStream[{method.returns}]", {call})']
    if method.kind == "download":
        call = f"self._requester.{a}download({module}, {packed})"
        return [*lines, f"return {'await ' if is_async else ''}{call}"]
    function = f"{module}.{'asyncio_detailed' if is_async else 'sync_detailed'}"
    call = f"self._requester.{a}call({function}, {', '.join(call_args)})"
    return [*lines, f'return cast("{method.returns}", {"await " if is_async else ""}{call})']


_PRELUDE = '''"""Every operation of the spec on one object, grouped by ``x-sdk-method`` (``client.files.list``).

Generated from the spec's ``x-sdk-method`` extensions. The classes call the generated functions through a
requester (``Requester``, ``AsyncRequester``); ``openai_api_overrides.OpenAI`` gives one with typed errors, retries,
streamed uploads, downloads and server-sent event streams.
"""

from __future__ import annotations

import builtins
import importlib
from collections.abc import Callable, Iterator, AsyncIterator, Awaitable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar, cast
import os
from types import TracebackType

from . import models as _models
from .types import UNSET, Response, Unset

{type_imports}

T_co = TypeVar("T_co", covariant=True)
_M = TypeVar("_M")

# What the upload methods take for a file part: a path, bytes, a binary file object or (filename, content, mime).
FileInput = str | os.PathLike[str] | bytes | IO[bytes] | tuple[str, bytes | IO[bytes], str]


class EventStream(Protocol[T_co]):
    """A stream of server-sent events, parsed; leaving the ``with`` block closes the connection."""

    def __enter__(self) -> EventStream[T_co]: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def __iter__(self) -> Iterator[T_co]: ...
    def close(self) -> None: ...


class AsyncEventStream(Protocol[T_co]):
    """The async twin of ``EventStream``."""

    async def __aenter__(self) -> AsyncEventStream[T_co]: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def __aiter__(self) -> AsyncIterator[T_co]: ...
    async def aclose(self) -> None: ...


class Requester(Protocol):
    """How the resources send a request; errors raise, so each returns the success answer only."""

    def call(self, endpoint: Callable[..., Response[Any]], /, **kwargs: Any) -> Any: ...
    def upload(self, endpoint: Any, arguments: dict[str, Any], body_model: Any, fields: dict[str, Any], /) -> Any: ...
    def download(self, endpoint: Any, arguments: dict[str, Any], /) -> bytes: ...
    def stream(self, endpoint: Any, arguments: dict[str, Any], item: Any, /) -> Any: ...


class AsyncRequester(Protocol):
    """The async twin of ``Requester``."""

    async def acall(self, endpoint: Callable[..., Awaitable[Response[Any]]], /, **kwargs: Any) -> Any: ...
    async def aupload(
        self, endpoint: Any, arguments: dict[str, Any], body_model: Any, fields: dict[str, Any], /
    ) -> Any: ...
    async def adownload(self, endpoint: Any, arguments: dict[str, Any], /) -> bytes: ...
    def astream(self, endpoint: Any, arguments: dict[str, Any], item: Any, /) -> Any: ...


_ENDPOINTS: dict[str, Any] = {{}}


def _endpoint(name: str) -> Any:
    """The generated module ``api.<name>``, imported when a method first needs it (the models package loads each
    model on first use too): making a client imports none of the operations it does not call."""
    found = _ENDPOINTS.get(name)
    if found is None:
        found = _ENDPOINTS[name] = importlib.import_module(f"{{__package__}}.api.{{name}}")
    return found


def _model(model: type[_M], value: Any) -> Any:
    """A plain dict (typed by the model's TypedDict shape) becomes the generated model; a model stays itself."""
    return model.from_dict(value) if isinstance(value, Mapping) else value  # type: ignore[attr-defined]


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {{key: value for key, value in fields.items() if not isinstance(value, Unset)}}
'''


def _type_imports(methods: list[_Method], package: _Package) -> str:
    names: set[str] = set()
    for method in methods:
        texts = [p.annotation for p in method.params] + [method.returns]
        for text in texts:
            names.update(re.findall(r"(?<![\w.])([A-Z]\w*)", text))
    models = sorted(n for n in names if n in package.models)
    # Annotations only (the module has `from __future__ import annotations`): the TypedDicts alone took 7 ms to
    # import, a twentieth of what `oa.OpenAI(...).files.list()` cost from a fresh process.
    lines = []
    if any("_td." in text for method in methods for text in [p.annotation for p in method.params]):
        lines.append("    from . import typed_dicts as _td")
    if models:
        lines.append("    from .models import " + ", ".join(models))
    return "if TYPE_CHECKING:\n" + "\n".join(lines) if lines else ""


def render(spec: dict[str, Any], package_dir: Path) -> str:
    """The text of ``resources.py`` for ``spec``, from the package openapi-python-client generated for it."""
    package = _Package(package_dir)
    methods = _methods(spec, package)
    groups: list[tuple[str, ...]] = []
    for method in methods:
        for depth in range(1, len(method.group) + 1):
            if method.group[:depth] not in groups:
                groups.append(method.group[:depth])
    out = [_PRELUDE.format(type_imports=_type_imports(methods, package))]
    for is_async in (False, True):
        prefix = "Async" if is_async else ""
        requester = "AsyncRequester" if is_async else "Requester"
        for group in sorted(groups, key=len, reverse=True):
            children = [g for g in groups if len(g) == len(group) + 1 and g[: len(group)] == group]
            out.append(f"\n\nclass {prefix}{_camel(group)}:")
            out.append(f'    """``client.{".".join(group)}``."""\n')
            out.append(f"    def __init__(self, requester: {requester}) -> None:")
            out.append("        self._requester = requester")
            for child in children:
                out.append(f"        self.{child[-1]} = {prefix}{_camel(child)}(requester)")
            for method in (m for m in methods if m.group == group):
                out.append("")
                out.append(textwrap.indent(_signature(method, is_async), "    "))
                out.append(textwrap.indent(_docstring(method, is_async), "        "))
                out.append(textwrap.indent("\n".join(_body(method, is_async)), "        "))
        top = [g for g in groups if len(g) == 1]
        out.append(f"\n\nclass {prefix}Resources:")
        out.append(f'    """Every operation of the spec{", async" if is_async else ""}, by resource."""\n')
        out.append(f"    def __init__(self, requester: {requester}) -> None:")
        for group in top:
            out.append(f"        self.{group[0]} = {prefix}{_camel(group)}(requester)")
    return "\n".join(out) + "\n"
