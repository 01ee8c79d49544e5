"""Stacked: the hand-written versions' P(helpful) and the checks, weighed by logistic
regression; at judge time one call per stacked version, and a version edited since the fit
is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaluators.checks import WEATHER
from evaluators.endpoint import Endpoint
from evaluators.errors import PromptFileError
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from evaluators.modes.base import Context, Signals
from evaluators.modes.stacked import MODE, digest
from evaluators.prompt_files import copy_templates, load_prompt
from pipeline.align.write import render_version, write_version
from tests.support.scripted_llm import ScriptedLLM, label_logprobs

H, N = HELPFUL, NOT_HELPFUL


def fitted_stack(prompts: Path, checks: str | None):
    """v1 ranks the rows well, v2 says helpful to all; a refusal check fires on the
    not_helpful rows."""
    versions = tuple(load_prompt(v, prompts) for v in ("v1", "v2"))
    labels = [H] * 6 + [N] * 6
    rows = [Signals({"v1": H if i < 7 else N, "v2": H},
                    {"v1": 0.9 - 0.07 * i, "v2": 0.8},
                    {"wording": {"refusal": float(label == N)}})
            for i, label in enumerate(labels)]
    (candidate,) = MODE.candidates(Context(versions, checks))
    return candidate.fit(rows, labels), rows, labels


def test_the_fit_weighs_the_versions_and_the_checks(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    copy_templates(prompts)
    fitted, rows, labels = fitted_stack(prompts, WEATHER)
    assert [fitted.predict(row) for row in rows] == labels
    weights = fitted.combiner.weights
    assert weights["v1"] > 0 and weights["refusal"] < 0 and abs(weights.get("v2", 0)) < 0.01
    header = fitted.header()
    assert header["mode"] == "stacked" and header["checks"] == WEATHER
    assert header["versions"] == {v: digest(load_prompt(v, prompts).template)
                                  for v in ("v1", "v2")}
    generic, _, _ = fitted_stack(prompts, None)
    assert "checks" not in generic.header() and set(generic.combiner.weights) <= {"v1", "v2"}


def test_the_judge_asks_each_stacked_version_once_a_row(
        tmp_path: Path, scripted_llm: type[ScriptedLLM]) -> None:
    prompts = tmp_path / "prompts"
    copy_templates(prompts)
    fitted, _, _ = fitted_stack(prompts, WEATHER)
    version, _ = write_version(render_version(fitted, description="d", fitted_on="f"), prompts)
    prompt = load_prompt(version, prompts)
    assert "never sent" in prompt.template
    answer = {"content": "helpful\nok", "logprobs": label_logprobs("helpful", 0.9)}
    with scripted_llm(lambda request: answer) as server:
        judge = make_judge(Endpoint(server.base_url, "k", "scripted"), prompt)
        helpful = asyncio.run(judge.judge("Weather in Oslo?", "It is 4°C in Oslo.", None))
        refusal = asyncio.run(judge.judge("Weather in Oslo?", "I'm sorry, I can't help.", None))
    sent = [r["messages"][-1]["content"] for r in server.requests]
    v1, v2 = (load_prompt(v, prompts).template.split("{{")[0] for v in ("v1", "v2"))
    assert [text.startswith(v1) for text in sent] == [True, False, True, False]
    assert [text.startswith(v2) for text in sent] == [False, True, False, True]
    assert helpful.label == H and refusal.label == N
    assert refusal.reason.startswith("stacked P(helpful)") and "refusal" in refusal.reason


def test_a_stacked_version_edited_since_the_fit_is_refused(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    copy_templates(prompts)
    fitted, _, _ = fitted_stack(prompts, None)
    version, _ = write_version(render_version(fitted, description="d", fitted_on="f"), prompts)
    v1 = prompts / "v1.txt"
    v1.write_text(v1.read_text().replace("weather assistant", "travel assistant"))
    with pytest.raises(PromptFileError, match=r"it stacks v1 as it was when fitted, and "
                                              r".*v1\.txt has changed since: restore it"):
        make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "m"), load_prompt(version, prompts))
