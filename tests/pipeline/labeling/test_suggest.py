"""``suggest-labels``: the picks favour rows where judge versions disagree, then rows where the
judge was unsure, keep the categories represented, never pick a human-labeled span, and are
the same for the same seed. The choice is tested on its own, then end to end on a real
Phoenix with labels written by ``judge-traces`` with two scripted judges."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from evaluators.judge import RetryPolicy
from pipeline.errors import UserError
from pipeline.labeling import labeler, suggest
from pipeline.phoenix import annotations
from pipeline.phoenix.annotations import JudgeLabel
from pipeline.phoenix.spans import RootSpan
from pipeline.settings import Settings
from pipeline.views.labeling import render_suggestions
from tests.conftest import scripted_settings
from tests.support.experiments import judge_new_traces
from tests.support.scripted_llm import ScriptedLLM, label_logprobs
from tests.support.stack import connect
from tests.support.traces import AgentTrace, emit_traces, run_judge_align

FAST = RetryPolicy(attempts=2, first_wait=0.01, max_wait=0.02, timeout=5.0)
NOW = datetime(2026, 11, 29, tzinfo=UTC)
CATEGORIES = ("forecast", "units", "travel", "out_of_scope")


def span(index: int, category: str) -> RootSpan:
    return RootSpan(span_id=f"{index:016x}", trace_id=f"t{index}", question=f"q{index}?",
                    answer=f"a{index}.", start_time=NOW, metadata={"category": category})


def vote(span_id: str, tag: str, label: str, probability: float | None = None) -> JudgeLabel:
    return JudgeLabel(span_id=span_id, identifier=f"judge-{tag}-m", label=label, prompt_tag=tag,
                      prompt_version_id="id", model="m", explanation="",
                      label_probability=probability, updated_at=NOW)


def candidate(index: int, category: str = "forecast", *votes: tuple[str, str, float | None]
              ) -> suggest.Candidate:
    root = span(index, category)
    return suggest.Candidate(root, tuple(vote(root.span_id, *v) for v in votes))


def test_disagreement_comes_first_then_the_least_sure_then_coverage() -> None:
    calm = [candidate(i, CATEGORIES[i % 4], ("v2", "helpful", 0.99), ("v3", "helpful", 0.98))
            for i in range(20)]
    split_sure = candidate(100, "units", ("v2", "helpful", 0.99), ("v3", "not_helpful", 0.95))
    split_unsure = candidate(101, "travel", ("v2", "helpful", 0.97), ("v3", "not_helpful", 0.6))
    unsure = candidate(102, "units", ("v3", "helpful", 0.55))
    less_unsure = candidate(103, "forecast", ("v3", "not_helpful", 0.7))
    rows = [*calm[:7], split_sure, less_unsure, *calm[7:14], unsure, split_unsure, *calm[14:]]
    population = Counter(c.category for c in rows)

    picks = suggest.choose(rows, Counter(), population, n=6, seed=3)
    # 6 picks: 6 - round(1.8) = 4 for informative rows, at least 2 for coverage
    assert [p.span_id for p in picks[:4]] == [split_unsure.span.span_id,
                                              split_sure.span.span_id, unsure.span.span_id,
                                              less_unsure.span.span_id]
    assert [p.kind for p in picks] == ["disagreement"] * 2 + ["unsure"] * 2 + ["coverage"] * 2
    assert picks[0].reason == "judges disagree: v2 helpful, v3 not_helpful"
    assert picks[2].reason == "judge unsure: v3 said helpful with p=0.55"
    assert len({p.span_id for p in picks}) == 6

    fewer = suggest.choose(rows, Counter(), population, n=3, seed=3)
    assert [p.span_id for p in fewer[:2]] == [p.span_id for p in picks[:2]]
    assert fewer[2].kind == "coverage"  # 3 - round(0.9) = 2 informative slots


def test_the_same_seed_gives_the_same_picks_and_another_seed_other_random_ones() -> None:
    rows = [candidate(i, CATEGORIES[i % 4]) for i in range(60)]
    population = Counter(c.category for c in rows)
    first = [p.span_id for p in suggest.choose(rows, Counter(), population, n=10, seed=1)]
    again = [p.span_id for p in suggest.choose(list(reversed(rows)), Counter(), population,
                                               n=10, seed=1)]
    other = [p.span_id for p in suggest.choose(rows, Counter(), population, n=10, seed=2)]
    assert first == again
    assert first != other


def test_coverage_fills_the_categories_the_labels_lack() -> None:
    rows = [candidate(i, CATEGORIES[i % 4]) for i in range(40)]  # 10 of each
    population = Counter({c: 12 for c in CATEGORIES})  # 48 traces: 8 already labeled
    labeled = Counter({"forecast": 6, "units": 2})
    picks = suggest.choose(rows, labeled, population, n=8, seed=0)
    assert all(p.kind == "coverage" for p in picks)
    # forecast is over its share already; the 8 picks even out the three others (10 labels)
    totals = labeled + Counter(p.candidate.category for p in picks)
    assert totals["forecast"] == 6
    others = [totals[c] for c in ("units", "travel", "out_of_scope")]
    assert sum(others) == 10 and max(others) - min(others) <= 1

    many = suggest.choose(rows, Counter(), Counter({"forecast": 30, "units": 10}), n=8, seed=0)
    assert Counter(p.candidate.category for p in many) == {"forecast": 6, "units": 2}


def test_asking_for_fewer_than_one_is_refused_and_too_many_gives_every_candidate() -> None:
    rows = [candidate(i) for i in range(3)]
    with pytest.raises(UserError, match="--n must be at least 1"):
        suggest.choose(rows, Counter(), Counter(forecast=3), n=0, seed=0)
    assert len(suggest.choose(rows, Counter(), Counter(forecast=3), n=10, seed=0)) == 3


# --- end to end on a real Phoenix --------------------------------------------------------------

def version_reply(version: str):
    """A scripted judge for one prompt version, reading markers like ``[v3:n:0.55]``."""
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        content = request["messages"][-1]["content"]
        label, probability = "helpful", 0.99
        marker = f"[{version}:"
        if marker in content:
            code, _, p = content.split(marker, 1)[1].split("]", 1)[0].partition(":")
            label = "not_helpful" if code == "n" else "helpful"
            probability = float(p) if p else probability
        return {"content": label, "logprobs": label_logprobs(label, probability)}
    return reply


def test_suggestions_from_two_judge_versions_on_phoenix(
        phoenix: Settings, scripted_llm: type[ScriptedLLM], tmp_path: Path) -> None:
    project = f"suggest-{uuid.uuid4().hex[:8]}"
    markers = {1: "[v2:h] [v3:n]", 2: "[v2:n] [v3:h:0.9]", 3: "[v3:h:0.55]",
               5: "[v2:n] [v3:n:0.7]", 0: "[v2:h] [v3:n:0.5]"}  # span 0 disagrees but has a label
    rows = [AgentTrace(question=f"s{i}: weather in city {i}?",
                       answer=f"s{i}: mild {markers.get(i, '')}", category=CATEGORIES[i % 4])
            for i in range(16)]
    span_ids = emit_traces(phoenix, project, rows)
    px = connect(phoenix)
    annotations.write_labels(px, [annotations.LabelToWrite(span_ids[i], "helpful")
                                      for i in (0, 4, 8)])  # three forecast spans
    for version in ("v2", "v3"):
        with scripted_llm(version_reply(version)) as server:
            report = judge_new_traces(scripted_settings(phoenix, server), prompt=version,
                                  project=project, dataset="none", retry=FAST,
                                  prompt_name=f"suggest-{project}")
        assert sum(report.new.values()) == 16

    result = suggest.suggest(px, project, n=5, seed=7)
    assert result.candidates == 13 and result.judge_slots == 2
    assert result.with_probabilities == 13
    picks = result.picks
    # disagreement (the less sure first), then the least sure; 5 - round(1.5) = 3 such picks
    assert [p.span_id for p in picks[:3]] == [span_ids[2], span_ids[1], span_ids[3]]
    assert [p.kind for p in picks] == ["disagreement"] * 2 + ["unsure"] + ["coverage"] * 2
    assert picks[0].reason == "judges disagree: v2 not_helpful, v3 helpful"
    assert picks[2].reason == "judge unsure: v3 said helpful with p=0.55"
    assert not {span_ids[i] for i in (0, 4, 8)} & {p.span_id for p in picks}
    # forecast already holds 3 of the 3 labels: coverage goes to the other categories
    assert all(p.candidate.category != "forecast" for p in picks[3:])
    assert [p.span_id for p in suggest.suggest(px, project, n=5, seed=7).picks] == [
        p.span_id for p in picks]

    done = run_judge_align(phoenix, "suggest-labels", "--n", "5", "--seed", "7", "--out",
                           str(tmp_path / "queue.txt"), project=project)
    assert done.returncode == 0, done.stderr
    queue = labeler.read_queue(tmp_path / "queue.txt")
    assert queue == [p.span_id for p in picks]
    for expected in ("Label these next (5, seed 7)", "judges disagree: v2 not_helpful, v3",
                     "judge unsure: v3 said helpful with p=0.55", "coverage:",
                     f"annotate --queue {tmp_path / 'queue.txt'}"):
        assert expected in done.stdout, expected
    ordered, _ = labeler.plan(px, project, queue)
    assert [s.span_id for s in ordered[:5]] == queue

    console = Console(record=True, width=200)
    render_suggestions(suggest.suggest(px, project, n=30, seed=7), console, "url")
    assert "Label these next (13, seed 7)" in console.export_text()


def test_a_project_with_every_span_labeled_suggests_nothing(phoenix: Settings,
                                                            tmp_path: Path) -> None:
    project = f"suggest-done-{uuid.uuid4().hex[:8]}"
    span_ids = emit_traces(phoenix, project, [AgentTrace("q?", "a.")])
    annotations.write_labels(connect(phoenix),
                             [annotations.LabelToWrite(span_ids[0], "not_helpful")])
    done = run_judge_align(phoenix, "suggest-labels", "--out", str(tmp_path / "q.txt"),
                           project=project)
    assert done.returncode == 0, done.stderr
    assert "Nothing to suggest" in done.stdout and "fewer than two judge versions" in done.stdout
    assert not (tmp_path / "q.txt").exists()
