"""``judge-align invariance`` on a real Phoenix: the rows of a dataset's split, perturbed and
judged by a version (v4: code only, no call; v1: a scripted model), counted as the pure
count does; the table drawn; wrong options refused in one line."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rich.console import Console

from evaluators.checks import WEATHER, load_checks
from evaluators.checks.invariance import invariance
from evaluators.checks.perturb import SAME
from evaluators.endpoint import Endpoint
from evaluators.judge import RetryPolicy
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from pipeline.errors import UserError
from pipeline.judging.invariance import run_invariance
from pipeline.phoenix.connection import Phoenix
from pipeline.settings import Settings
from pipeline.views.invariance import render_invariance
from tests.conftest import scripted_settings
from tests.evaluators.checks.invented import EXAMPLES
from tests.support.scripted_llm import ScriptedLLM, tagged
from tests.support.stack import connect
from tests.support.versions import FITTED, checklist_v4

FAST = RetryPolicy(attempts=2, first_wait=0.01, max_wait=0.02, timeout=5.0)
DEV = 20
"""The first 20 invented rows are dev, the other 9 test."""


@pytest.fixture(scope="module")
def dataset(phoenix: Settings) -> str:
    """The invented rows as a labeled dataset (with their tool records), split 20 / 9."""
    name = f"invariance-test-{uuid.uuid4().hex[:8]}"
    examples = [{
        "input": {"question": e.question, "answer": e.answer,
                  **({"tools": [c.as_dict() for c in e.tools]} if e.tools is not None else {})},
        "output": {"label": e.label},
        "metadata": {"trace_id": e.id, "category": "invented",
                     "split": "dev" if i < DEV else "test"},
    } for i, e in enumerate(EXAMPLES)]
    connect(phoenix).client.datasets.create_dataset(name=name, examples=examples, timeout=30)
    return name


def v4_label(case) -> str:
    judge = make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), checklist_v4())
    return judge.decide(case.question, case.answer, case.tools, {}).label


def test_a_code_only_checklist_is_counted_without_a_model_call(
        phoenix: Settings, dataset: str, scripted_llm: type[ScriptedLLM]) -> None:
    with scripted_llm(lambda request: {"content": "helpful"}) as server:
        settings = scripted_settings(phoenix, server)
        report = run_invariance(Phoenix.connect(settings), settings.judge_endpoint(), dataset,
                                prompt="v4", split="dev", retry=FAST,
                                prompts_dir=FITTED)
    assert server.requests == []  # reading: wording asks no model
    assert (report.rows, report.split, report.model, report.source) == (DEV, "dev", None,
                                                                         WEATHER)
    expected = invariance([e.case for e in EXAMPLES[:DEV]], load_checks(WEATHER).perturbations,
                          v4_label)
    # the same tallies as the pure count on the same rows (the ids are Phoenix's own)
    assert [(t.name, t.tried, t.held, t.skipped) for t in report.tallies] == [
        (t.name, t.tried, t.held, t.skipped) for t in expected]
    assert report.judged == DEV + sum(t.tried + t.skipped for t in report.tallies)
    console = Console(record=True, width=160)
    render_invariance(report, console)
    text = console.export_text()
    assert "Invariance of v4 on" in text and "code only, no model call" in text
    held, tried = report.totals(SAME)
    assert f"invariant (verdict unchanged): {held}/{tried} held" in text
    assert report.as_dict()["perturbations"]["other_city"]["expect"] == NOT_HELPFUL


def curly_is_not_helpful(request: dict[str, Any]) -> dict[str, Any]:
    """A judge thrown by typography: not_helpful as soon as a curly apostrophe appears."""
    content = request["messages"][-1]["content"]
    seen = tagged(content, "question") + tagged(content, "answer")
    return {"content": NOT_HELPFUL if "\u2019" in seen else HELPFUL}


def test_a_model_judge_is_asked_about_every_row_and_perturbation(
        phoenix: Settings, dataset: str, scripted_llm: type[ScriptedLLM]) -> None:
    only = ["curly_quotes", "polite_opener", "unit_swapped"]
    with scripted_llm(curly_is_not_helpful) as server:
        settings = scripted_settings(phoenix, server)
        report = run_invariance(Phoenix.connect(settings), settings.judge_endpoint(), dataset,
                                prompt="v1", split="test", only=only, retry=FAST,
                                concurrency=3, checks=WEATHER)
    tallies = {t.name: t for t in report.tallies}
    assert list(tallies) == ["polite_opener", "curly_quotes", "unit_swapped"]  # module order
    assert report.model == "scripted"
    rows = EXAMPLES[DEV:]
    assert len(server.requests) == report.judged == len(rows) + sum(
        t.tried + t.skipped for t in report.tallies)
    curly = tallies["curly_quotes"]  # every row it applies to turns not_helpful
    assert curly.tried == sum("'" in e.question + e.answer for e in rows) and curly.held == 0
    assert len(curly.broken) == curly.tried
    polite = tallies["polite_opener"]  # the judge ignores greetings: all held
    assert polite.tried == polite.held > 0
    swapped = tallies["unit_swapped"]  # the judge never notices a unit: none flipped
    assert swapped.tried >= 1 and swapped.held == 0


def test_wrong_options_are_refused_in_one_line(phoenix: Settings, dataset: str) -> None:
    endpoint = Endpoint("http://127.0.0.1:9/v1", "k", "none")
    connection = Phoenix.connect(phoenix)
    with pytest.raises(UserError, match="unknown perturbation sideways: use one of "
                                        "curly_quotes, lowercase_places"):
        run_invariance(connection, endpoint, dataset, prompt="v4", only=["sideways"],
                       prompts_dir=FITTED)
    with pytest.raises(UserError, match="--concurrency must be at least 1"):
        run_invariance(connection, endpoint, dataset, prompt="v4", concurrency=0,
                       prompts_dir=FITTED)
    generic = run_invariance(connection, endpoint, dataset, prompt="v4", split="test",
                             prompts_dir=FITTED,
                             checks="none")
    assert generic.source == "generic" and [t.name for t in generic.tallies] == [
        "polite_opener", "curly_quotes", "markdown_list"]


def test_the_command_prints_the_table(phoenix: Settings, dataset: str) -> None:
    from tests.support.traces import run_judge_align

    v4 = ("--prompts-dir", str(FITTED), "--prompt", "v4")
    done = run_judge_align(phoenix, "invariance", *v4, "--split", "test",
                           "--only", "lowercase_places,other_city", project="unused",
                           dataset=dataset)
    assert done.returncode == 0, done.stderr
    assert f"Invariance of v4 on {dataset} (test, {len(EXAMPLES) - DEV} rows)" in done.stdout
    assert "lowercase_places" in done.stdout and "helpful -> not_helpful" in done.stdout
    assert "directional (helpful turned not_helpful):" in done.stdout
    wrong = run_judge_align(phoenix, "invariance", *v4, "--only", "sideways",
                            project="unused", dataset=dataset)
    assert wrong.returncode != 0 and "unknown perturbation sideways" in wrong.stderr
