"""The spec handed to other languages: TypeScript types with a strict program on them, an offline HTML reference
rendered in headless Chromium, a JSON bundle, and the lint gate."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from openai_api_server import running
from tests.helpers.spec import REPO_ROOT, SPEC_PATH, load_spec, operations

NODE_BIN = REPO_ROOT / "node_modules" / ".bin"
EXAMPLE = REPO_ROOT / "examples" / "typescript"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = REPO_ROOT / "build"
NODE_ENV = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def tsc(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NODE_BIN / "tsc"), "-p", str(project)], capture_output=True, text=True, timeout=120, env=NODE_ENV
    )


def test_the_json_bundle_is_the_spec() -> None:
    bundle = json.loads((REPO_ROOT / "generated" / "openapi.json").read_text(encoding="utf-8"))
    assert bundle == load_spec()


def test_the_typescript_program_compiles_strict_and_runs_against_the_test_server() -> None:
    assert json.loads((EXAMPLE / "tsconfig.json").read_text())["compilerOptions"]["strict"] is True
    compiled = tsc(EXAMPLE)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    with running() as api:
        env = {**NODE_ENV, "OPENAI_BASE_URL": api.url, "OPENAI_API_KEY": "sk-test-org-a"}
        run = subprocess.run(
            ["node", str(EXAMPLE / "dist" / "examples" / "typescript" / "src" / "main.js")],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert run.returncode == 0, run.stderr
        assert "model gpt-3.5-turbo (owned by openai)" in run.stdout
        file_id = re.search(r"uploaded (file-\w+): train.jsonl", run.stdout)
        assert file_id and f"retrieved {file_id.group(1)}: purpose fine-tune" in run.stdout
        assert api.state.violations == []


def test_a_renamed_field_in_the_spec_breaks_the_typescript_program(tmp_path: Path) -> None:
    spec = SPEC_PATH.read_text(encoding="utf-8")
    renamed = spec.replace("required: [id, object, owned_by]", "required: [id, object, owner]").replace(
        "        owned_by: {type: string, description: The organization that owns the model.}",
        "        owner: {type: string, description: The organization that owns the model.}",
    )
    assert renamed.count("owner") >= 2
    (tmp_path / "openapi.yaml").write_text(renamed, encoding="utf-8")
    types = tmp_path / "generated" / "typescript" / "openapi.d.ts"
    types.parent.mkdir(parents=True)
    generate = subprocess.run(
        [str(NODE_BIN / "openapi-typescript"), str(tmp_path / "openapi.yaml"), "-o", str(types)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=NODE_ENV,
    )
    assert generate.returncode == 0, generate.stderr
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "typescript", ignore=shutil.ignore_patterns("dist"))
    (tmp_path / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    broken = tsc(tmp_path / "examples" / "typescript")
    assert broken.returncode != 0
    assert "Property 'owned_by' does not exist" in broken.stdout, broken.stdout


def test_the_html_reference_renders_every_operation_offline(tmp_path: Path) -> None:
    page = tmp_path / "reference.html"
    build = subprocess.run(
        [str(NODE_BIN / "redocly"), "build-docs", str(SPEC_PATH), "--inlineBundle", "-o", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        env=NODE_ENV,
        cwd=REPO_ROOT,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert Path(CHROMIUM).exists(), "scripts/setup.sh installs Debian's chromium"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--virtual-time-budget=15000",
    ]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [CHROMIUM, *flags, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    missing = [op.op["summary"] for op in operations(load_spec()) if op.op["summary"] not in html]
    assert missing == [], missing
    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / "reference.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM,
                *flags,
                f"--user-data-dir={profile}",
                "--window-size=1400,1000",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
        )
    assert shot.exists() and shot.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("          examples:\n            page:\n              value: 100\n", "Every parameter has an example."),
        ("      summary: List models\n", "summary"),
    ],
)
def test_the_lint_ruleset_requires_summaries_and_examples(tmp_path: Path, cut: str, message: str) -> None:
    spec = SPEC_PATH.read_text(encoding="utf-8")
    assert cut in spec
    broken = tmp_path / "spec" / "openapi.yaml"
    broken.parent.mkdir()
    broken.write_text(spec.replace(cut, "", 1), encoding="utf-8")
    shutil.copy(REPO_ROOT / "redocly.yaml", tmp_path / "redocly.yaml")
    lint = subprocess.run(
        [str(NODE_BIN / "redocly"), "lint", str(broken)], cwd=tmp_path, capture_output=True, text=True, env=NODE_ENV
    )
    assert lint.returncode != 0 and message in lint.stdout + lint.stderr, lint.stdout[-3000:]
