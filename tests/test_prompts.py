"""Prompt files (versions, header, rendering) and their mirror in Phoenix's prompt store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from evaluators.errors import PromptFileError
from evaluators.prompt_files import PROMPTS_DIR, available_versions, load_all, load_prompt
from pipeline.phoenix.prompts import push_prompt, push_prompts, tagged_version, template_text
from pipeline.settings import ROOT, Settings
from tests.support.stack import base_url, connect


def test_the_shipped_versions_exist_in_order() -> None:
    versions = available_versions()
    assert versions[:3] == ["v1", "v2", "v3"]
    assert [p.version for p in load_all()] == versions


def test_an_unknown_version_lists_those_that_exist() -> None:
    with pytest.raises(PromptFileError, match=r"no judge prompt 'v9'.*v1, v2, v3"):
        load_prompt("v9")


def test_the_command_line_lists_the_versions_for_prompt_v9(tmp_path: Path) -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "judge-align"), "experiment",
                           "--prompt", "v9"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 1
    assert "error: no judge prompt 'v9'" in done.stderr
    assert "v1, v2, v3" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_rubric_first_question_and_answer_last(version: str) -> None:
    prompt = load_prompt(version)
    assert prompt.description
    assert prompt.template.rstrip().endswith("{{answer}}")
    before = prompt.template[: prompt.template.index("{{question}}")]
    assert "helpful" in before and "not_helpful" in before and "first line" in before
    rendered = prompt.render("Is it {{answer}} in Rome?", "Sunny, 25 C.")
    assert rendered.endswith("Question:\nIs it {{answer}} in Rome?\n\nAnswer:\nSunny, 25 C.\n")
    assert "---" not in rendered and "description:" not in rendered


def test_each_version_adds_rules_to_the_one_before() -> None:
    v1, v2, v3 = (load_prompt(v).template for v in ("v1", "v2", "v3"))
    assert "Fahrenheit" not in v1 and "JSON" not in v1
    assert "Fahrenheit" in v2 and "JSON" in v2
    assert "Fahrenheit" in v3 and "JSON" in v3
    for criterion in ("city", "clarify", "declines", "contradict"):
        assert criterion in v3 and criterion not in v2
    assert len(v1) < len(v2) < len(v3)


def test_a_template_without_placeholders_is_refused(tmp_path: Path) -> None:
    (tmp_path / "v4.txt").write_text("---\ndescription: x\n---\nJudge {{question}}.\n")
    with pytest.raises(PromptFileError, match=r"lacks \{\{answer\}\}"):
        load_prompt("v4", tmp_path)


def test_pushing_twice_creates_no_new_version(phoenix: Settings, tmp_path: Path) -> None:
    px = connect(phoenix)
    name = f"judge-test-{uuid.uuid4().hex[:8]}"
    first = push_prompts(px, load_all(), model_name="scripted", prompt_name=name)
    assert [p.created for p in first] == [True, True, True]
    again = push_prompts(px, load_all(), model_name="scripted", prompt_name=name)
    assert [p.created for p in again] == [False, False, False]
    assert [p.version_id for p in again] == [p.version_id for p in first]

    versions = httpx.get(f"{base_url(phoenix)}/v1/prompts/{name}/versions").json()["data"]
    assert len(versions) == 3
    stored = tagged_version(px, "v3", name)
    assert stored is not None and template_text(stored) == load_prompt("v3").template

    # an edited file gets a new version, and the tag moves to it
    shutil.copytree(PROMPTS_DIR, tmp_path / "prompts")
    edited = tmp_path / "prompts" / "v3.txt"
    edited.write_text(edited.read_text() + "\n")  # trailing blank line only: same template
    assert not push_prompt(px, load_prompt("v3", tmp_path / "prompts"),
                           model_name="scripted", prompt_name=name).created
    edited.write_text(edited.read_text().replace("weather assistant", "weather agent"))
    changed = push_prompt(px, load_prompt("v3", tmp_path / "prompts"),
                          model_name="scripted", prompt_name=name)
    assert changed.created and changed.version_id != first[2].version_id
    moved = tagged_version(px, "v3", name)
    assert moved is not None and str(moved.id) == changed.version_id
    versions = httpx.get(f"{base_url(phoenix)}/v1/prompts/{name}/versions").json()["data"]
    assert len(versions) == 4


def test_the_prompts_command_pushes_then_reports_unchanged(phoenix: Settings) -> None:
    env = {**os.environ, "PHOENIX_PORT": str(phoenix.phoenix_port)}
    command = [str(Path(sys.executable).parent / "judge-align"), "prompts"]
    outputs = [subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=120) for _ in range(2)]
    for done in outputs:
        assert done.returncode == 0, done.stderr
        assert all(v in done.stdout for v in ("v1", "v2", "v3"))
    assert outputs[1].stdout.count("unchanged") == len(available_versions())
    assert "new version" not in outputs[1].stdout
