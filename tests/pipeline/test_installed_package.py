"""judge-align as a user installs it: ``pip install .`` (not editable) into a fresh virtual
environment. From a working directory holding a labeled file, ``dataset import`` then
``align`` against a real Phoenix and a scripted judge: align reads the packaged templates,
writes its version into ``./prompts`` and its cache under ``./.run``, and changes nothing in
site-packages. The gold commands and the demo, which need a clone, say so in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from evaluators.prompt_files import available_versions, load_prompt
from pipeline.settings import ROOT, Settings
from tests.pipeline.align.test_align import judge_reply, rows
from tests.support.scripted_llm import ScriptedLLM

PACKAGE = ("pyproject.toml", "README.md", "pipeline", "evaluators", "agent_demo", "local_llm")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no system site-packages) with judge-align installed
    from a copy of the package's sources (pip would build inside the checkout itself)."""
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"
    source.mkdir()
    for name in PACKAGE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    done = subprocess.run([str(root / "venv" / "bin" / "pip"), "install", "-q",
                           "--disable-pip-version-check", str(source)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "venv"


def site_packages(venv: Path) -> Path:
    done = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True)
    return Path(done.stdout.strip())


def listing(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under ``folder``: files with their mtime and size, folders by name."""
    return {str(path.relative_to(folder)): (None if path.is_dir() else
                                            (path.stat().st_mtime_ns, path.stat().st_size))
            for path in folder.rglob("*")}


def judge_align(venv: Path, cwd: Path, env: dict[str, str], *args: str
                ) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "judge-align"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def user_environment(phoenix: Settings, server: ScriptedLLM) -> dict[str, str]:
    """A shell pointed at the test's Phoenix and judge, with no judge-align folder set."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("JUDGE_ALIGN_") and name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PHOENIX_PORT": str(phoenix.phoenix_port),
            "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
            "JUDGE_MODEL": "scripted", "COLUMNS": "200"}


def test_align_from_a_non_editable_install_writes_only_under_the_working_directory(
        venv: Path, phoenix: Settings, tmp_path: Path) -> None:
    packages = site_packages(venv)
    installed = subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import pipeline.settings as s; print(s.__file__)"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
    assert Path(installed.strip()).is_relative_to(packages)  # not the checkout
    before = listing(packages)
    work = tmp_path / "my-project"
    work.mkdir()
    with (work / "labeled.jsonl").open("w") as out:
        for question, answer, label, split in rows():
            out.write(json.dumps({"question": question, "answer": answer, "label": label,
                                  "split": split}) + "\n")
    name = f"installed-{uuid.uuid4().hex[:8]}"
    with ScriptedLLM(judge_reply) as server:
        env = user_environment(phoenix, server)
        imported = judge_align(venv, work, env, "dataset", "import", "labeled.jsonl",
                               "--name", name)
        assert imported.returncode == 0, imported.stderr
        aligned = judge_align(venv, work, env, "align", "--dataset", name, "--folds", "3")
    assert aligned.returncode == 0, aligned.stderr
    prompts = work / "prompts"
    assert f"made the prompts folder {prompts} with the packaged templates (v1, v2, v3)" in (
        aligned.stdout)
    assert f"prompt version v4: written, {prompts / 'v4.txt'}" in aligned.stdout
    assert available_versions(prompts) == ["v1", "v2", "v3", "v4"]
    assert "20 dev rows" in load_prompt("v4", prompts).fitted
    assert any((work / ".run" / "align").iterdir())  # the signal cache, under ./.run
    assert listing(packages) == before  # nothing in site-packages written or touched

    for command in (["gold", "stats"], ["demo", "--live", "0"]):
        refused = judge_align(venv, work, env, *command)
        assert refused.returncode == 1, refused.stdout
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert "comes with a clone of the judge-align repository" in refused.stderr
