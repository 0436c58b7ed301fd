"""What a user downloads: the wheel and the sdist hold the client, its license, and nothing that cannot run."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path


def _wheel_names(dist: Path) -> set[str]:
    (wheel,) = dist.glob("*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def _sdist_names(dist: Path) -> set[str]:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def test_the_license_ships_in_both(dist: Path) -> None:
    assert any(name.endswith("licenses/LICENSE") for name in _wheel_names(dist))
    assert "LICENSE" in _sdist_names(dist)


def test_the_sdist_holds_no_tests_and_nothing_outside_its_anchors(dist: Path) -> None:
    names = _sdist_names(dist)
    assert not [name for name in names if name.startswith("tests/")]
    tops = {name.split("/", 1)[0] for name in names}
    assert tops <= {
        "generated",
        "overrides",
        "cli",
        "spec",
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "PKG-INFO",
        "server",
        ".gitignore",
    }


def test_only_user_extras_are_published(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    extras = {line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Provides-Extra")}
    assert "dev" not in extras and "bench" not in extras
    assert "cli" in extras


def test_the_command_line_is_a_package_of_its_own(dist: Path) -> None:
    names = _wheel_names(dist)
    assert {"openai_api_cli/__init__.py", "openai_api_cli/__main__.py", "openai_api_cli/_cli.py"} <= names
    assert not {"openai_api/_cli.py", "openai_api/__main__.py"} & names
    (wheel,) = dist.glob("*.whl")
    points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "openai-api = openai_api_cli:main" in points
