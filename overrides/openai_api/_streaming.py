"""Server-sent event streams of completions, chat completions and fine-tune events, as generated models: the public
names of ``_async/_streaming`` and ``_sync/_streaming`` (their reading is ``_events``), and :func:`accumulate_chat`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openai_api._async._streaming import AsyncStream
from openai_api._sync._streaming import Stream
from openai_api_client.models import (
    ChatCompletionChoice,
    ChatCompletionResponseMessage,
    CreateChatCompletionChunk,
    CreateChatCompletionResponse,
)

__all__ = ["AsyncStream", "Stream", "accumulate_chat"]


def accumulate_chat(chunks: Iterable[CreateChatCompletionChunk]) -> CreateChatCompletionResponse:
    """Joins a chat stream's deltas into the final response: one message per choice index, in index order."""
    first: CreateChatCompletionChunk | None = None
    roles: dict[int, Any] = {}
    contents: dict[int, list[str]] = {}
    finish: dict[int, Any] = {}
    for chunk in chunks:
        first = first or chunk
        for choice in chunk.choices:
            contents.setdefault(choice.index, [])
            delta = choice.delta
            if delta.role:  # None (or UNSET, in a model built by hand) when the chunk has none
                roles[choice.index] = delta.role
            if isinstance(delta.content, str):
                contents[choice.index].append(delta.content)
            if choice.finish_reason:
                finish[choice.index] = choice.finish_reason
    if first is None:
        raise ValueError("no chunk to accumulate")
    choices = [
        ChatCompletionChoice(
            index=index,
            message=ChatCompletionResponseMessage(role=roles.get(index, "assistant"), content="".join(parts)),
            finish_reason=finish.get(index),
        )
        for index, parts in sorted(contents.items())
    ]
    return CreateChatCompletionResponse(
        id=first.id, object_="chat.completion", created=first.created, choices=choices, model=first.model
    )
