"""Judge prompt versions mirrored into Phoenix's prompt store: idempotent, tags move."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from evaluators.prompt_files import available_versions, copy_templates, load_all, load_prompt
from pipeline.phoenix.prompts import push_prompt, push_prompts, tagged_version, template_text
from pipeline.settings import Settings
from tests.support.stack import base_url, connect


def test_pushing_twice_creates_no_new_version(phoenix: Settings, tmp_path: Path) -> None:
    px = connect(phoenix)
    name = f"judge-test-{uuid.uuid4().hex[:8]}"
    first = push_prompts(px, load_all(), model_name="scripted", prompt_name=name)
    assert [p.created for p in first] == [True, True, True]
    again = push_prompts(px, load_all(), model_name="scripted", prompt_name=name)
    assert [p.created for p in again] == [False, False, False]
    assert [p.version_id for p in again] == [p.version_id for p in first]
    # the UI addresses a prompt by its id (a name in the URL is an error page)
    (listed,) = [p for p in httpx.get(f"{base_url(phoenix)}/v1/prompts",
                                      params={"limit": 1000}).json()["data"]
                 if p["name"] == name]
    assert {p.prompt_id for p in first + again} == {listed["id"]}
    assert px.prompt_url(first[2].prompt_id, first[2].version_id) == (
        f"{base_url(phoenix)}/prompts/{listed['id']}/versions/{first[2].version_id}")

    versions = httpx.get(f"{base_url(phoenix)}/v1/prompts/{name}/versions").json()["data"]
    assert len(versions) == 3
    stored = tagged_version(px, "v3", name)
    assert stored is not None and template_text(stored) == load_prompt("v3").template

    # an edited file gets a new version, and the tag moves to it
    copy_templates(tmp_path / "prompts")
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


def test_the_prompts_command_pushes_then_reports_unchanged(phoenix: Settings,
                                                           tmp_path: Path) -> None:
    """Run where there is no prompts folder: the packaged templates are pushed."""
    env = {**os.environ, "PHOENIX_PORT": str(phoenix.phoenix_port)}
    command = [str(Path(sys.executable).parent / "judge-align"), "prompts", "push"]
    outputs = [subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=120) for _ in range(2)]
    for done in outputs:
        assert done.returncode == 0, done.stderr
        assert all(v in done.stdout for v in ("v1", "v2", "v3"))
    assert outputs[1].stdout.count("unchanged") == len(available_versions())
    assert "new version" not in outputs[1].stdout
