"""The parts of the layer that exist sync and async. ``_async/`` is hand-written; ``_sync/`` is written from it by
``python -m generator`` (``generator/_unasync.py``: unasync, as httpcore makes its sync half). Edit ``_async/``.

unasync drops ``async`` and ``await`` and renames by one table, so code here must read right once they go: a method
that awaits another of the same class under its sync name (``close`` awaiting ``aclose``) would call itself, so such
a method lives in a shared base whose sync twin has none (``_events.AsyncClosing``, ``Closing``); what differs
otherwise is a shared name pair (``_transport.asyncio_sleep``, ``time_sleep``), and docstrings say what holds for
both halves. A name with a sync twin that the table does not list stops the generation.
"""
