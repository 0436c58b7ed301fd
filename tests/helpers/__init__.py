"""Helpers shared by the tests (type-checked with mypy --strict)."""
