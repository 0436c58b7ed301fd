"""``python -m openai_api_overrides``: the ``openai-api`` command line."""

import sys

from openai_api_overrides._cli import main

sys.exit(main())
