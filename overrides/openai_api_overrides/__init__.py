"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here. ``create_client`` gives
the generated ``AuthenticatedClient`` with retries, a deadline, timeouts and a hidden key, and one owner of how
every exchange ends (a typed error for anything but a 2xx answer the spec describes); ``call`` types any generated
function's result; ``iter_files`` pages through every file, on the gateway too; ``stream_chat_completion`` and
friends stream server-sent events as generated models; ``upload_file`` and ``download_file`` stream files of any
size with progress, after checking them against the spec's limits.

Each public name is declared once, in its module's ``__all__``; this package re-exports them all.
"""

from __future__ import annotations

from openai_api_overrides import (
    _calls,
    _client,
    _constants,
    _downloads,
    _errors,
    _facade,
    _files,
    _inputs,
    _logging,
    _retry,
    _streaming,
    _uploads,
)
from openai_api_overrides._calls import *  # noqa: F403
from openai_api_overrides._client import *  # noqa: F403
from openai_api_overrides._constants import *  # noqa: F403
from openai_api_overrides._downloads import *  # noqa: F403
from openai_api_overrides._errors import *  # noqa: F403
from openai_api_overrides._facade import *  # noqa: F403
from openai_api_overrides._files import *  # noqa: F403
from openai_api_overrides._inputs import *  # noqa: F403
from openai_api_overrides._logging import *  # noqa: F403
from openai_api_overrides._retry import *  # noqa: F403
from openai_api_overrides._streaming import *  # noqa: F403
from openai_api_overrides._uploads import *  # noqa: F403

__all__ = [
    *_calls.__all__,
    *_client.__all__,
    *_constants.__all__,
    *_downloads.__all__,
    *_errors.__all__,
    *_facade.__all__,
    *_files.__all__,
    *_inputs.__all__,
    *_logging.__all__,
    *_retry.__all__,
    *_streaming.__all__,
    *_uploads.__all__,
]
