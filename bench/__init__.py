"""Benchmarks: this client against raw httpx and the official openai package, in one run (``python -m bench``)."""
