"""The parts of the layer that exist sync and async. ``_async/`` is hand-written; ``_sync/`` is written from it by
``python -m generator`` (``generator/_unasync.py``: unasync, as httpcore makes its sync half). Edit ``_async/``."""
