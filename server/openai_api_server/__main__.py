"""``python -m openai_api_server``: the same as the ``openai-api-server`` command."""

import sys

from openai_api_server._cli import main

if __name__ == "__main__":
    sys.exit(main())
