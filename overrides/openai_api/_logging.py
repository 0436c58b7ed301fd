"""The client's logger. ``OPENAI_LOG=debug|info`` switches it on, as in the official SDK.

Nothing logged here carries a header: the API key travels only in ``Authorization``.
"""

from __future__ import annotations

import logging
import os

__all__ = ["logger"]

logger = logging.getLogger("openai_api")


def setup_logging_from_env() -> None:
    """Applies ``OPENAI_LOG`` once: a stderr handler at that level for this client's logger (and httpx's)."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(os.environ.get("OPENAI_LOG", "").lower())
    if level is None or getattr(logger, "_configured_from_env", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    for name in ("openai_api", "httpx"):
        target = logging.getLogger(name)
        target.addHandler(handler)
        target.setLevel(level)
    logger._configured_from_env = True  # type: ignore[attr-defined]
