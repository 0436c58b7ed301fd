"""``python -m openai_api_cli``: the ``openai-api`` command line."""

import sys

from openai_api_cli._cli import main

sys.exit(main())
