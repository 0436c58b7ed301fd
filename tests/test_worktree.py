"""The guard in ``tests/conftest.py`` sees what a test writes into the checkout."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.worktree import changes, worktree_state

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("cache/\n")
    (tmp_path / "tracked.txt").write_text("one\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "start")
    return tmp_path


def _modify(root: Path) -> None:
    (root / "tracked.txt").write_text("two\n")


def _add_untracked(root: Path) -> None:
    (root / "new").mkdir()
    (root / "new" / "crash.json").write_text("{}")


def _delete(root: Path) -> None:
    (root / "tracked.txt").unlink()


def _write_ignored(root: Path) -> None:
    (root / "cache").mkdir()
    (root / "cache" / "x").write_text("ignored")


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (_modify, [" M tracked.txt"]),
        (_add_untracked, ["?? new/crash.json"]),
        (_delete, [" D tracked.txt"]),
        (_write_ignored, []),
    ],
)
def test_changes_are_seen(checkout: Path, write: Callable[[Path], None], expected: list[str]) -> None:
    before = worktree_state(checkout)
    assert before == ""
    write(checkout)
    after = worktree_state(checkout)
    assert after is not None
    assert changes(before, after) == expected


def test_a_change_present_before_the_run_is_not_blamed_on_it(checkout: Path) -> None:
    (checkout / "tracked.txt").write_text("edited by hand\n")
    before = worktree_state(checkout)
    assert before is not None
    (checkout / "other.txt").write_text("written by a test\n")
    after = worktree_state(checkout)
    assert after is not None
    assert changes(before, after) == ["?? other.txt"]


def test_outside_a_checkout_there_is_no_state(tmp_path: Path) -> None:
    assert worktree_state(tmp_path) is None
