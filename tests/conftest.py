"""Suite-wide rule: running the tests leaves ``git status`` as it found it (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.worktree import changes, worktree_state

_ROOT = Path(__file__).resolve().parent.parent
_BEFORE = pytest.StashKey[str | None]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[_BEFORE] = worktree_state(_ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.stash.get(_BEFORE, None)
    after = worktree_state(_ROOT)
    if before is None or after is None:
        return
    written = changes(before, after)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("The tests changed the checkout (git status):", red=True)
            for line in written:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
