"""Settings that name folders: the run directory and the prompts folder live under the
current directory unless set, whatever the package's own location."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evaluators.prompt_files import TEMPLATES, copy_templates
from pipeline.errors import UserError
from pipeline.settings import load


def test_run_data_and_prompts_default_to_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUDGE_ALIGN_RUN_DIR", raising=False)
    monkeypatch.delenv("JUDGE_ALIGN_PROMPTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load()
    assert settings.run_dir == tmp_path / ".run"
    assert settings.prompts_dir == tmp_path / "prompts" and not settings.prompts_dir_explicit
    assert settings.prompt_versions == TEMPLATES  # no ./prompts yet: the templates
    copy_templates(tmp_path / "prompts")
    assert load().prompt_versions == tmp_path / "prompts"


def test_a_prompts_folder_named_must_exist(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUDGE_ALIGN_PROMPTS_DIR", "mine")
    settings = load()
    assert settings.prompts_dir == tmp_path / "mine" and settings.prompts_dir_explicit
    with pytest.raises(UserError, match=r"prompts folder .*mine .* does not exist: fix the "
                                        r"path, or make it with `judge-align prompts init`"):
        settings.check_prompts_dir()
    (tmp_path / "mine").mkdir()
    assert settings.prompt_versions == tmp_path / "mine"


def test_the_command_line_names_a_missing_prompts_folder_before_phoenix(
        tmp_path: Path) -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "judge-align"), "align",
                           "--prompts-dir", "nowhere"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)  # refused before Phoenix is asked anything
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"the prompts folder {tmp_path / 'nowhere'} " in done.stderr
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / ".run").exists()
