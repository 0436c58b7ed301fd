"""Regenerates everything under ``generated/`` from ``spec/openapi.yaml``.

Run ``python -m generator`` to regenerate, ``python -m generator --check`` to verify that ``generated/`` is exactly
what the spec produces.
"""

from generator._pipeline import GENERATED_DIR, REPO_ROOT, SPEC_PATH, check, generate

__all__ = ["GENERATED_DIR", "REPO_ROOT", "SPEC_PATH", "check", "generate"]
