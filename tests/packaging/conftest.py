from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hatchling.build import build_sdist, build_wheel

from tests.helpers.spec import REPO_ROOT


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel and the sdist, built once, as a user downloads them."""
    out = tmp_path_factory.mktemp("dist")
    here = Path.cwd()
    # The backend builds the project in the current directory, as a build frontend would call it.
    os.chdir(REPO_ROOT)
    try:
        build_wheel(str(out))
        build_sdist(str(out))
    finally:
        os.chdir(here)
    yield out
