"""``openai-api``: the OpenAI API from a terminal, built on the facade (``openai_api.OpenAI``) alone.

Installed with the client; its tables and progress bars need the ``cli`` extra (``rich``). ``python -m
openai_api_cli`` runs it too.
"""

from openai_api_cli._cli import main

__all__ = ["main"]
