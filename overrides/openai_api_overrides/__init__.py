"""The package's name until 0.3.0, kept one release so that code written for 0.2 still imports: use ``openai_api``."""

import warnings as _warnings

from openai_api import *  # noqa: F403
from openai_api import __all__ as __all__

_warnings.warn(
    "the package 'openai_api_overrides' is now 'openai_api': change the import (the old name goes in 0.4.0)",
    DeprecationWarning,
    stacklevel=2,
)
