"""``make align`` end to end on a real Phoenix with a scripted judge: it chooses and fits on
dev rows only (the test rows are never sent to the model, and flipping every test label
changes nothing it chose), writes the next version, and proves it in one experiment whose
dev and test figures are reported apart."""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest

from evaluators.chat import RetryPolicy
from evaluators.checks import WEATHER
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.prompt_files import load_prompt
from pipeline.align.run import TooFewDevRows, fit, prove
from pipeline.align.signals import judges_for, signal_key
from pipeline.errors import UserError
from pipeline.experiment.judge_experiment import run_judge_experiment
from pipeline.phoenix import datasets, experiments
from pipeline.settings import Settings
from tests.conftest import scripted_settings
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import connect

FAST = RetryPolicy(attempts=2, first_wait=0.01, max_wait=0.02, timeout=5.0)
H, N = HELPFUL, NOT_HELPFUL


def rows() -> list[tuple[str, str, str, str]]:
    """(question, answer, label, split): every not_helpful answer is a refusal, which the
    checklist catches; the prompt judges are right on 60% only."""
    made = []
    for i in range(30):
        split = "test" if i % 3 == 0 else "dev"
        label = N if i % 2 else H
        answer = ("I'm sorry, but I can't assist with that." if label == N
                  else f"It is {10 + i} °C and sunny in Oslo.")
        made.append((f"[row {i}] What is the weather in Oslo?", answer, label, split))
    return made


def judge_reply(request: dict[str, Any]) -> dict[str, Any]:
    """Readings for the checklist; for prompt judges, 'helpful' on 60% of rows."""
    content = request["messages"][-1]["content"]
    if request.get("response_format"):
        return {"content": json.dumps({"places": ["Oslo"], "asks_for": ["weather"]})}
    row = int(content.rsplit("[row ", 1)[1].split("]", 1)[0])  # few-shot examples come first
    label = H if row % 5 < 3 else N
    first = [{"token": "helpful", "logprob": math.log(0.6 if label == H else 0.4)},
             {"token": "not", "logprob": math.log(0.4 if label == H else 0.6)}]
    return {"content": f"{label}\nscripted", "logprobs": {"content": [
        {"token": first[0 if label == H else 1]["token"], "logprob": -0.5,
         "top_logprobs": first}]}}


def make_dataset(settings: Settings, name: str, flip_test: bool = False) -> None:
    examples = []
    for question, answer, label, split in rows():
        if flip_test and split == "test":
            label = H if label == N else N
        examples.append({"id": question[:9].strip("[] ").replace(" ", "-"),
                         "input": {"question": question, "answer": answer},  # no tool record
                         "output": {"label": label},
                         "metadata": {"split": split, "category": "weather_only"},
                         "splits": split})
    px = connect(settings)
    existing = datasets.find(px, name)
    datasets.upload(px, name, examples, existing)


def aligned(settings: Settings, name: str, tmp_path: Path, tag: str):
    """``fit`` into a prompts folder that does not exist yet: the templates are read."""
    prompts = tmp_path / f"prompts-{tag}"
    report = fit(connect(settings), settings.judge_endpoint(), name,
                 cache_dir=tmp_path / f"cache-{tag}", prompts_dir=prompts, folds=3,
                 retry=FAST, checks=WEATHER)
    return report, prompts


def test_align_fits_on_dev_only_and_proves_once(phoenix: Settings, tmp_path: Path,
                                                scripted_llm: type[ScriptedLLM]) -> None:
    name = f"align-{uuid.uuid4().hex[:8]}"
    test_questions = {q for q, _, _, split in rows() if split == "test"}
    with scripted_llm(judge_reply) as server:
        settings = scripted_settings(phoenix, server)
        make_dataset(settings, name)
        first, prompts = aligned(settings, name, tmp_path, "first")
        seen = " ".join(r["messages"][-1]["content"] for r in server.requests)
        assert not any(q in seen for q in test_questions)  # no test row reached the judge
        assert len(first.dev.examples) == 20

        make_dataset(settings, name, flip_test=True)  # every test label turned around
        again, _ = aligned(settings, name, tmp_path, "again")
        assert again.winner.candidate.name == first.winner.candidate.name
        assert again.fitted.header() == first.fitted.header()
        assert [s.match_rate for s in again.scores] == [s.match_rate for s in first.scores]

        # refusals are caught by the wording alone: the cheaper checklist wins the tie
        assert first.winner.candidate.name == "checklist any-rule (wording only, no model)"
        assert first.created and first.version == "v4"
        written = load_prompt("v4", prompts)
        assert written.mode == "checklist" and "20 dev rows" in written.fitted
        # the prompts folder was made with the templates it compared, numbered before v4
        assert first.folder == prompts and first.templates_copied == ["v1", "v2", "v3"]
        assert sorted(p.name for p in prompts.iterdir()) == [f"v{i}.txt" for i in range(1, 5)]

        experiment = prove(connect(settings), settings.judge_endpoint(), first,
                           prompt_name=f"align-{name}", retry=FAST)
    assert experiment.agreement.n == 30
    assert set(experiment.by_split) == {"dev", "test"}
    assert experiment.by_split["test"].n == 10
    # The flipped test labels are now the truth: the checklist disagrees on every one.
    assert experiment.by_split["test"].matches == 0
    assert experiment.by_split["dev"].matches == 20
    outputs = [row.run for row in experiment.rows]
    assert all(run.judge in (H, N) for run in outputs)


def test_verdicts_a_finished_experiment_holds_are_copied_not_asked_again(
        phoenix: Settings, tmp_path: Path, scripted_llm: type[ScriptedLLM]) -> None:
    name = f"align-reuse-{uuid.uuid4().hex[:8]}"
    prompt_name = f"align-{name}"
    prompts = tmp_path / "prompts"
    with scripted_llm(judge_reply) as server:
        settings = scripted_settings(phoenix, server)
        make_dataset(settings, name)
        px, endpoint = connect(settings), settings.judge_endpoint()
        run_judge_experiment(px, endpoint, name, prompt="v1", prompt_name=prompt_name,
                             retry=FAST)  # the packaged template
        asked_before = len(server.requests)
        reusing = fit(px, endpoint, name, cache_dir=tmp_path / "reusing", prompts_dir=prompts,
                      folds=3, retry=FAST, prompt_name=prompt_name)
        v1_text = load_prompt("v1", prompts).template.split("{{", 1)[0]
        asked = [r["messages"][-1]["content"] for r in server.requests[asked_before:]]
        asking = fit(px, endpoint, name, cache_dir=tmp_path / "asking", prompts_dir=prompts,
                     folds=3, retry=FAST, prompt_name=f"other-{name}")
    assert reusing.reused == 20 and asking.reused == 0  # every dev row of v1, nothing else
    # the second fit read the folder the first one made, and found its fit already there
    assert reusing.created and not asking.created and asking.version == reusing.version
    assert asking.templates_copied == []
    assert not any(text.startswith(v1_text) for text in asked)  # v1 was not asked again
    assert [(s.candidate.name, s.match_rate) for s in reusing.scores] == [
        (s.candidate.name, s.match_rate) for s in asking.scores]
    # No prompt names a checks module: the generic candidates only, few-shot asked once a row
    names = [s.candidate.name for s in asking.scores]
    assert asking.checks is None and not any("checklist" in name for name in names)
    assert "stacked v1, v2, v3 P(helpful), logistic C=1" in names
    assert {"v1 few-shot k=4 word", "v1 few-shot k=4 probability"} <= set(names)
    assert sum("<examples>" in text for text in asked) == 20

    with scripted_llm(judge_reply) as server:  # few-shot left out: not offered, not asked
        settings = scripted_settings(phoenix, server)
        without = fit(connect(settings), settings.judge_endpoint(), name,
                      cache_dir=tmp_path / "without", prompts_dir=prompts, folds=3,
                      retry=FAST, prompt_name=f"other-{name}", left_out=("fewshot",))
    assert without.left_out == {"fewshot"}
    assert not any("few-shot" in s.candidate.name for s in without.scores)
    assert "stacked v1, v2, v3 P(helpful), logistic C=1" in [
        s.candidate.name for s in without.scores]
    assert server.requests and not any("<examples>" in r["messages"][-1]["content"]
                                       for r in server.requests)


def test_a_dev_split_too_small_or_one_sided_is_refused_before_any_call(
        phoenix: Settings, tmp_path: Path, scripted_llm: type[ScriptedLLM]) -> None:
    name = f"align-small-{uuid.uuid4().hex[:8]}"
    examples = [{"id": f"row-{i}", "input": {"question": f"Weather in Oslo? ({i})",
                                             "answer": "It is 5 °C in Oslo."},
                 "output": {"label": H}, "metadata": {"split": "dev"}, "splits": "dev"}
                for i in range(12)]
    with scripted_llm(judge_reply) as server:
        settings = scripted_settings(phoenix, server)
        px = connect(settings)
        datasets.upload(px, name, examples, datasets.find(px, name))
        with pytest.raises(TooFewDevRows, match=r"12 helpful and 0 not_helpful labeled dev "
                                                r"rows; align needs at least 5 of each"):
            aligned(settings, name, tmp_path, "small")
        only_test = [{**e, "metadata": {"split": "test"}, "splits": "test"} for e in examples]
        datasets.upload(px, f"{name}-t", only_test, datasets.find(px, f"{name}-t"))
        with pytest.raises(UserError, match=r"has no example in its 'dev' split: label more"):
            aligned(settings, f"{name}-t", tmp_path, "only-test")
    assert server.requests == []
    assert not (tmp_path / "prompts-small").exists()  # no prompts folder made either


def test_the_final_run_scores_every_candidate_on_test_and_external_sets(
        phoenix: Settings, tmp_path: Path, scripted_llm: type[ScriptedLLM]) -> None:
    name = f"align-final-{uuid.uuid4().hex[:8]}"
    external = f"{name}-external"
    with scripted_llm(judge_reply) as server:
        settings = scripted_settings(phoenix, server)
        make_dataset(settings, name)
        px = connect(settings)
        made = [{"id": f"ext-{i}", "input": {"question": f"[row {40 + i}] weather oslo?",
                                             "answer": ans},
                 "output": {"label": label}, "metadata": {"split": "test"}, "splits": "test"}
                for i, (ans, label) in enumerate(
                    [("It is 3 °C and snowing in Oslo.", H), ("Sorry, I can't help.", N)] * 6)]
        datasets.upload(px, external, made, datasets.find(px, external))
        report, _ = aligned(settings, name, tmp_path, "final")
        before = len(server.requests)
        prove(px, settings.judge_endpoint(), report, external=[external],
              prompt_name=f"align-{name}", retry=FAST)
        asked = server.requests[before:]
    assert [h.name for h in report.held_out] == ["gold test", external]
    assert [len(h.labels) for h in report.held_out] == [10, 12]
    assert len(report.figures) == len(report.scores)
    chosen = next(f for f in report.figures if f.dev is report.winner)
    assert report.experiment is not None
    # the chosen candidate's test figure is the experiment's test figure, row for row
    assert chosen.held_out["gold test"].matches == report.experiment.by_split["test"].matches
    assert chosen.held_out[external].matches == report.external[external].agreement.matches
    assert report.curve[-1].size == 20 and report.curve[-1].rates == (
        chosen.held_out["gold test"].match_rate.value,)
    # every source was asked about each held-out row once; the experiments asked nothing
    # more (the chosen checklist reads the wording; a version that calls would find its
    # answers in align's cache)
    judges = judges_for(report.sources, settings.judge_endpoint())
    keys = {key for held in report.held_out for example in held.data.examples
            for judge in judges.values() if (key := signal_key(judge, example)) is not None}
    assert len(asked) == len(keys) > 0
    stored = experiments.get(px, report.experiment.experiment_id)["metadata"]["align"]
    assert {c["candidate"] for c in stored["candidates"]} == {
        s.candidate.name for s in report.scores}
    assert next(c for c in stored["candidates"] if c["chosen"])["gold test"]["n"] == 10
    assert [p["labels"] for p in stored["learning_curve"]][-1] == 20
