"""One home per mode, checked end to end: for every candidate ``align`` can choose, the
version it writes, read back and judged by that mode's judge, gives on every dev row the
verdict align predicted from the row's cached signals (same label, same P(helpful)). The
model is a scripted server whose reply depends only on the prompt it is sent."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

from evaluators.checks import WEATHER
from evaluators.endpoint import Endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import candidates_for, make_judge, sources_for
from evaluators.modes.base import Context
from evaluators.prompt_files import copy_templates, load_prompt
from pipeline.align.run import hand_written
from pipeline.align.signals import Cache, collect, labeled
from pipeline.align.write import render_version, write_version
from pipeline.dataset.examples import LabeledExample
from pipeline.gold.files import DEMO
from pipeline.gold.traces import read_traces, trace_tools
from tests.support.scripted_llm import ScriptedLLM, label_logprobs


def share(text: str) -> float:
    """A number in [0, 1) fixed by ``text``."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 16 ** 8


def reply(request: dict[str, Any]) -> dict[str, Any]:
    content = request["messages"][-1]["content"]
    if request.get("response_format"):  # the checklist's reading of the question
        return {"content": json.dumps({"places": [], "asks_for": ["weather"]})}
    p = 0.05 + 0.9 * share(content)
    label = HELPFUL if p >= 0.5 else NOT_HELPFUL
    return {"content": f"{label}\nscripted", "logprobs": label_logprobs(
        label, p if label == HELPFUL else 1 - p)}


def dev_examples() -> list[LabeledExample]:
    """24 recorded gold rows with made-up labels (no human label is read)."""
    return [LabeledExample(id=t["root_span_id"], question=t["question"], answer=t["answer"],
                           label=HELPFUL if share(t["answer"]) < 0.5 else NOT_HELPFUL,
                           split="dev", tools=tuple(trace_tools(t)))
            for t in read_traces(DEMO.traces)[:24]]


@pytest.mark.parametrize("checks", [WEATHER, None])
def test_every_written_version_judges_as_align_predicted(
        tmp_path: Path, scripted_llm: type[ScriptedLLM], checks: str | None) -> None:
    prompts = tmp_path / "prompts"
    copy_templates(prompts)
    examples = dev_examples()
    with scripted_llm(reply) as server:
        endpoint = Endpoint(server.base_url, "k", "scripted")
        cache = Cache(tmp_path / "cache.jsonl")
        context = Context(tuple(hand_written([load_prompt(v, prompts)
                                              for v in ("v1", "v2", "v3")])),
                          checks, tuple(labeled(e) for e in examples))
        rows = collect(sources_for(context), endpoint, examples, cache)
        context = dataclasses.replace(context, signals=tuple(rows))
        rows = collect(sources_for(context), endpoint, examples, cache)
        labels = context.labels
        modes = set()
        for candidate in candidates_for(context):
            fitted = candidate.fit(rows, labels)
            text = render_version(fitted, description=candidate.name, fitted_on="a test")
            version, _ = write_version(text, prompts, fitted.files())
            judge = make_judge(endpoint, load_prompt(version, prompts))

            async def judge_all(judge: Any = judge) -> list[Any]:
                try:
                    return [await judge.judge(e.question, e.answer, e.tools) for e in examples]
                finally:
                    await judge.aclose()

            for row, verdict in zip(rows, asyncio.run(judge_all()), strict=True):
                assert verdict.label == fitted.predict(row), candidate.name
                expected = fitted.score(row)
                if expected is not None and verdict.probability is not None:
                    assert math.isclose(verdict.probability, expected, abs_tol=1e-9), \
                        candidate.name
            modes.add(fitted.mode)
    assert modes == ({"word", "probability", "stacked", "fewshot"}
                     | ({"checklist"} if checks else set()))
