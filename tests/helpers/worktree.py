"""What the test suite changed in the checkout: tests write into temporary folders, never into the project."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def worktree_state(root: Path) -> str | None:
    """``git status --porcelain`` of ``root`` (modified, added, deleted and untracked files not ignored), or None
    when ``root`` is not a git checkout or git is missing."""
    git = shutil.which("git")
    if git is None:
        return None
    done = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def changes(before: str, after: str) -> list[str]:
    """The status lines that appeared or changed between two states."""
    known = set(before.splitlines())
    return [line for line in after.splitlines() if line not in known]
