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

from openai_api._spec import resolve, snake

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
    page_item: str | None = None  # the item model of a list answer (``data: list[Item]``): the method pages
    cursor: str | None = None  # the query parameter that takes the last item's id, when the list has ``has_more``
    stream_twin: _Method | None = None  # the streaming form of this operation: ``stream=True`` returns it
    text_formats: tuple[str, list[str], list[str]] | None = None  # (parameter, JSON formats, text formats)


# Every method takes these per-call options, as the official package's methods do; a spec parameter of one of these
# names would hide it.
_OPTIONS = {
    "extra_headers": "Mapping[str, str] | None = None",
    "extra_query": "Mapping[str, object] | None = None",
    "extra_body": "Mapping[str, object] | None = None",
    "timeout": "float | httpx.Timeout | None = None",
}
_OPTIONS_CALL = "request_options(extra_headers, extra_query, extra_body, timeout)"


def _camel(parts: tuple[str, ...]) -> str:
    return "".join(word.capitalize() for part in parts for word in part.split("_"))


def _description(spec: dict[str, Any], schema: Any) -> str:
    if isinstance(schema, dict) and schema.get("description"):
        return str(schema["description"])
    resolved = resolve(schema, spec)
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
        self.model_modules: dict[str, str] = {}
        # Every relative import, wherever it sits (the models package imports them under TYPE_CHECKING and loads
        # each model on first use).
        for node in ast.walk(models_init):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                self.model_modules.update((alias.name, node.module) for alias in node.names)
        self.models = set(self.model_modules)
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
        tree = ast.parse((self.dir / "models" / f"{self.model_modules[model]}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == model:
                return [
                    (item.target.id, ast.unparse(item.annotation), item.value is None)
                    for item in node.body
                    if isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id != "additional_properties"
                ]
        raise RuntimeError(f"models/{self.model_modules[model]}.py has no class {model}")

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
                if key == "x-sdk-stream-method" and methods[-2].operation_id == op_id:
                    methods[-2].stream_twin = methods[-1]
    groups = {m.group for m in methods}
    for method in methods:
        if (*method.group, method.name) in groups:
            raise RuntimeError(f"{method.operation_id}: {method.name!r} is both a method and a group")
    return methods


def _stream_item(spec: dict[str, Any], operation: dict[str, Any]) -> str | None:
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        media = resolve(response, spec).get("content", {}).get("text/event-stream")
        if media is None:
            continue
        data = resolve(media["schema"], spec)["properties"]["data"]
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
    stem = snake(op_id)
    function = package.function(stem)
    streamed = _stream_item(spec, operation)
    if key == "x-sdk-stream-method" and streamed is None:
        raise RuntimeError(f"{op_id} has x-sdk-stream-method but no text/event-stream answer")
    described = {}
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = resolve(parameter, spec)
        described[snake(parameter["name"])] = str(parameter.get("description", ""))
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
        if arg.arg in _OPTIONS or arg.arg == "read_idle_timeout":
            raise RuntimeError(f"{op_id}: a parameter named {arg.arg!r} would hide the per-call option")
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        if arg.arg != "body":
            params.append(_Param(arg.arg, arg.arg, annotation, required, described.get(arg.arg, ""), is_positional))
            continue
        body_model = annotation
        runtime.add(body_model)
        content = operation["requestBody"]["content"]
        multipart = "multipart/form-data" in content
        kind = "upload" if multipart else kind
        schema = resolve(next(iter(content.values()))["schema"], spec)
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
    page_item, cursor = None, None
    verb = next(name for name, value in item.items() if value is operation)
    # A list is a GET answering `data: [...]` (embeddings and images answer `data` too, to a POST).
    if kind == "call" and verb == "get" and len(success) == 1 and success[0] in package.models:
        fields = {name: annotation for name, annotation, _ in package.model_fields(success[0])}
        listed = re.fullmatch(r"list\[(\w+)\]", fields.get("data", ""))
        if listed and listed.group(1) in package.models:
            kind, page_item = "page", listed.group(1)
            if "has_more" in fields and any(p.name == "after" for p in params):
                cursor = "after"
    text_formats = None
    if kind == "upload" and "str" in success and len(success) == 2:
        # A format switch whose `x-text-formats` answer text/plain: overloads type each answer apart.
        for field_name, schema in properties.items():
            resolved = resolve(schema, spec)
            if isinstance(resolved, dict) and "x-text-formats" in resolved:
                texts = [str(value) for value in resolved["x-text-formats"]]
                known = [resolve(option, spec).get("enum", []) for option in resolved.get("anyOf", [resolved])]
                jsons = [str(value) for values in known for value in values if value not in texts]
                text_formats = (field_name, jsons, texts)
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
        page_item=page_item,
        cursor=cursor,
        text_formats=text_formats,
    )


def _returns(method: _Method, is_async: bool) -> str:
    if method.kind == "stream":
        return f"{'Async' if is_async else ''}EventStream[{method.returns}]"
    if method.kind == "page":
        return f"AsyncPaginator[{method.page_item}]" if is_async else f"Page[{method.page_item}]"
    if method.kind == "download":
        return "BinaryResponse"
    return method.returns


def _is_coroutine(method: _Method, is_async: bool) -> bool:
    # A stream and a list are returned at once (official code writes `async for x in client.files.list()`); they
    # send their first request when awaited or iterated.
    return is_async and method.kind not in {"stream", "page"}


def _docstring(method: _Method, is_async: bool) -> str:
    summary = f"{method.summary}, streamed" if method.kind == "stream" else method.summary
    lines = [summary + ".", ""]
    if method.description:
        lines += [*textwrap.wrap(method.description, _WIDTH), ""]
    if method.kind == "stream":
        lines += [f"A stream (use it in a ``{'async ' if is_async else ''}with`` block) of ``{method.returns}``.", ""]
    if method.kind == "page":
        loop = "async for" if is_async else "for"
        lines += [f"A page of ``{method.page_item}``; ``{loop} item in ...`` reads every item, page after page.", ""]
    lines.append("Args:")
    for param in (p for p in method.params if p.description):
        wrapped = textwrap.wrap(f"{param.name}: {param.description}", _WIDTH - 4, subsequent_indent="    ")
        lines += [f"    {line}" for line in wrapped]
    if method.stream_twin:
        lines.append(f"    stream: ``True`` returns the stream ``{method.stream_twin.name}()`` returns.")
    if method.kind == "stream":
        lines.append(
            "    read_idle_timeout: the longest wait for the next event, in seconds (the read timeout otherwise)."
        )
    lines.append("    extra_headers, extra_query, extra_body, timeout: for this call only (headers and query")
    lines.append("        parameters added, body fields merged into the body, the timeout instead of the client's).")
    lines += ["", f"Operation ``{method.operation_id}``; errors raise the requester's typed exceptions."]
    text = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""' + text + '\n"""'


def _annotation(param: _Param) -> str:
    # A method named `list` shadows the builtin inside its class: spell the builtin out.
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", param.annotation)


def _signature(
    method: _Method,
    is_async: bool,
    *,
    stream: str | None = None,
    returns: str | None = None,
    overload: bool = False,
    retyped: tuple[str, str] | None = None,
) -> str:
    lines = ["self,"]
    lines += [f"{p.name}: {_annotation(p)}," for p in method.params if p.positional]
    lines.append("*,")
    if stream:
        lines.append(f"stream: {stream},")
    for param in sorted((p for p in method.params if not p.positional), key=lambda p: not p.required):
        default = "" if param.required else " = UNSET"
        if retyped and retyped[0] == param.name:
            lines.append(f"{param.name}: {retyped[1]},")
            continue
        lines.append(f"{param.name}: {_annotation(param)}{default},")
    if method.kind == "stream":
        lines.append("read_idle_timeout: float | None = None,")
    lines += [f"{name}: {annotation}," for name, annotation in _OPTIONS.items()]
    prefix = "async def" if _is_coroutine(method, is_async) else "def"
    head = "@overload\n" if overload else ""
    tail = " ..." if overload else ""
    parameters = "\n".join("    " + line for line in lines)
    return f"{head}{prefix} {method.name}(\n{parameters}\n) -> {returns or _returns(method, is_async)}:{tail}"


def _stream_overloads(method: _Method, is_async: bool) -> list[str]:
    """``create(..., stream=True)`` returns the stream, typed by overloads as the official package types it."""
    assert method.stream_twin is not None
    streamed = _returns(method.stream_twin, is_async)
    returns = _returns(method, is_async)
    return [
        _signature(method, is_async, stream="Literal[False] | Unset = UNSET", overload=True),
        _signature(method, is_async, stream="Literal[True]", returns=streamed, overload=True),
        _signature(method, is_async, stream="bool", returns=f"{returns} | {streamed}", overload=True),
        _signature(method, is_async, stream="bool | Unset = UNSET", returns=f"{returns} | {streamed}"),
    ]


def _format_overloads(method: _Method, is_async: bool) -> list[str]:
    """The JSON formats answer the model, the text formats a ``str``, as the official package types them."""
    assert method.text_formats is not None
    name, jsons, texts = method.text_formats
    model = " | ".join(p for p in _split_union(method.returns) if p != "str")
    json_literal, text_literal = (f"Literal[{', '.join(repr(v) for v in values)}]" for values in (jsons, texts))
    return [
        _signature(method, is_async, returns=model, overload=True, retyped=(name, f"{json_literal} | Unset = UNSET")),
        _signature(method, is_async, returns="str", overload=True, retyped=(name, text_literal)),
        _signature(method, is_async, overload=True),
        _signature(method, is_async),
    ]


def _body(method: _Method, is_async: bool, opened: bool = False) -> list[str]:
    # No import statement: one in a method runs on every call (1.5 µs each, two for a call with a body). Every kind
    # hands the requester the generated module (and the models the spec names), so the requester needs no table of
    # operations: an operation the spec adds works through it as it is.
    lines = []
    if method.stream_twin:
        # `create(stream=True)` sends at once, as the official package does (an error raises here, not in the loop);
        # the stream method itself sends when its `with` block or loop starts.
        # (An async method that returns at once, a list's, can only return the stream unsent.)
        opened = not is_async or _is_coroutine(method, is_async)
        lines += ["if stream:", *("    " + line for line in _body(method.stream_twin, is_async, opened))]
    if method.kind == "stream" and not opened:
        lines.append(f"options = {_OPTIONS_CALL[:-1]}, read_idle_timeout)")
    else:
        lines.append(f"options = {_OPTIONS_CALL}")
    module = method.module.rpartition(".")[2]
    lines.append(f'{module} = _endpoint("{method.module}")')
    lines += [f"{model} = _models.{model}" for model in sorted(method.runtime_models)]
    a = "a" if is_async else ""
    awaited = "await " if _is_coroutine(method, is_async) or (is_async and opened) else ""
    path_args = [p for p in method.params if p.positional]
    returns = _returns(method, is_async)
    if method.kind == "upload":
        fields = ", ".join(f'"{p.target}": {p.name}' for p in method.params if not p.positional)
        lines.append(f"fields = {{{fields}}}")
        path = "{" + ", ".join(f'"{p.target}": {p.name}' for p in path_args) + "}"
        call = f"self._requester.{a}upload({module}, {path}, {method.body_model}, _given(fields), options)"
        return [*lines, f'return cast("{returns}", {awaited}{call})']
    if method.body_model:
        body_args = ", ".join(f"{p.target}={p.convert or p.name}" for p in method.params if not p.positional)
        lines.append(f"body = {method.body_model}({body_args})")
        call_args = [f"{p.target}={p.name}" for p in path_args] + ["body=body"]
    else:
        call_args = [f"{p.target}={p.name}" for p in method.params]
    packed = "{" + ", ".join(f'"{arg.split("=")[0]}": {arg.split("=")[1]}' for arg in call_args) + "}"
    if method.kind == "stream":
        # The item model by its attribute: a local of its name would shadow the type the annotation names.
        call = f"self._requester.{a}stream({module}, {packed}, _models.{method.returns}, options, {opened})"
    elif method.kind == "page":
        call = f"self._requester.{a}page({module}, {packed}, options, {method.cursor!r})"
    elif method.kind == "download":
        call = f"self._requester.{a}download({module}, {packed}, options)"
    else:
        function = f"{module}.{'asyncio_detailed' if is_async else 'sync_detailed'}"
        call = f"self._requester.{a}call({', '.join([function, 'options', *call_args])})"
    return [*lines, f'return cast("{returns}", {awaited}{call})']


def _wrapper(method: _Method, is_async: bool, mode: str) -> str:
    if not is_async:
        return f"_{mode}"
    return f"_a{mode}" if _is_coroutine(method, is_async) else f"_a{mode}_def"


_PRELUDE_PATH = Path(__file__).with_name("_resources_prelude.py.txt")


def _type_imports(methods: list[_Method], package: _Package) -> str:
    names: set[str] = set()
    for method in methods:
        texts = [p.annotation for p in method.params] + [method.returns, method.page_item or ""]
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


def _group_class(
    group: tuple[str, ...], groups: list[tuple[str, ...]], methods: list[_Method], is_async: bool
) -> list[str]:
    prefix = "Async" if is_async else ""
    name = f"{prefix}{_camel(group)}"
    requester = "AsyncRequester" if is_async else "Requester"
    own = [m for m in methods if m.group == group]
    out = [f"\n\nclass {name}:", f'    """``client.{".".join(group)}``."""\n']
    out.append(f"    def __init__(self, requester: {requester}) -> None:")
    out.append("        self._requester = requester")
    for child in (g for g in groups if len(g) == len(group) + 1 and g[: len(group)] == group):
        out.append(f"        self.{child[-1]} = {prefix}{_camel(child)}(requester)")
    if own:
        for mode, doc in (
            ("raw", "each method returns the HTTP answer; ``.parse()`` gives the result"),
            ("streaming", "each method gives a ``with`` block over the HTTP answer, read as asked"),
        ):
            title = "RawResponse" if mode == "raw" else "StreamingResponse"
            out += ["", "    @property", f"    def with_{mode}_response(self) -> {name}With{title}:"]
            out.append(f'        """``with_{mode}_response``: {doc}."""')
            out.append(f"        return {name}With{title}(self)")
    for method in own:
        out.append("")
        if method.stream_twin:
            signatures = _stream_overloads(method, is_async)
        elif method.text_formats:
            signatures = _format_overloads(method, is_async)
        else:
            signatures = [_signature(method, is_async)]
        out += [textwrap.indent(signature, "    ") for signature in signatures]
        out.append(textwrap.indent(_docstring(method, is_async), "        "))
        out.append(textwrap.indent("\n".join(_body(method, is_async)), "        "))
    for mode, requester_mode in (("raw", "raw"), ("streaming", "streamed")):
        if not own:
            break
        title = "RawResponse" if mode == "raw" else "StreamingResponse"
        out += [f"\n\nclass {name}With{title}:", f'    """``client.{".".join(group)}.with_{mode}_response``."""\n']
        out.append(f"    def __init__(self, resource: {name}) -> None:")
        out.append(f'        sending = type(resource)(resource._requester.with_response("{requester_mode}"))')
        for method in own:
            wrapper = _wrapper(method, is_async, "raw" if mode == "raw" else "streamed")
            out.append(f"        self.{method.name} = {wrapper}(sending.{method.name})")
    return out


def render(spec: dict[str, Any], package_dir: Path) -> str:
    """The text of ``resources.py`` for ``spec``, from the package openapi-python-client generated for it."""
    package = _Package(package_dir)
    methods = _methods(spec, package)
    groups: list[tuple[str, ...]] = []
    for method in methods:
        for depth in range(1, len(method.group) + 1):
            if method.group[:depth] not in groups:
                groups.append(method.group[:depth])
    prelude = _PRELUDE_PATH.read_text(encoding="utf-8")
    out = [prelude.replace("{type_imports}", _type_imports(methods, package))]
    for is_async in (False, True):
        prefix = "Async" if is_async else ""
        requester = "AsyncRequester" if is_async else "Requester"
        for group in sorted(groups, key=len, reverse=True):
            out += _group_class(group, groups, methods, is_async)
        top = [g for g in groups if len(g) == 1]
        out.append(f"\n\nclass {prefix}Resources:")
        out.append(f'    """Every operation of the spec{", async" if is_async else ""}, by resource."""\n')
        out.append(f"    def __init__(self, requester: {requester}) -> None:")
        for group in top:
            out.append(f"        self.{group[0]} = {prefix}{_camel(group)}(requester)")
    return "\n".join(out) + "\n"
