"""Preloaded models and files, from a JSON file or a directory (``--preload``)."""

from __future__ import annotations

import json
from pathlib import Path

from openai_api_server._config import PreloadedFile


class PreloadError(ValueError):
    """A preload source that cannot be read; the message names the source and what is wrong."""


def read_preload(source: Path) -> tuple[list[str], list[PreloadedFile]]:
    """Models and files to start with.

    A directory holds one folder per purpose (``fine-tune/train.jsonl``, ``assistants/notes.txt``). A JSON file is
    ``{"models": ["my-model"], "files": [{"path": "train.jsonl", "purpose": "fine-tune", "org": "org-a"}]}``, paths
    relative to the JSON file, ``org`` optional (default: the first key's organization).
    """
    if source.is_dir():
        files = [
            PreloadedFile(path, folder.name)
            for folder in sorted(p for p in source.iterdir() if p.is_dir())
            for path in sorted(folder.iterdir())
            if path.is_file()
        ]
        return [], files
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PreloadError(f"{source}: cannot read it as JSON ({exc})") from exc
    if not isinstance(data, dict) or set(data) - {"models", "files"}:
        raise PreloadError(f"{source}: expected an object with 'models' and/or 'files'")
    models = data.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise PreloadError(f"{source}: 'models' must be a list of model ids")
    files = []
    for index, item in enumerate(data.get("files", [])):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("path", "purpose")):
            raise PreloadError(f"{source}: files[{index}] needs a 'path' and a 'purpose'")
        path = (source.parent / item["path"]).resolve()
        if not path.is_file():
            raise PreloadError(f"{source}: files[{index}]: no file {path}")
        files.append(PreloadedFile(path, item["purpose"], item.get("org")))
    return models, files
