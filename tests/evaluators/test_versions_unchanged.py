"""v1-v4 judge and score as they did before the judge modes moved into one module each:
verdicts on fixed inputs (the gold traces' questions, answers and tool records; scripted model
replies) and ``align``'s cross-validated predictions and fitted headers on fixed signals, all
compared with ``data/versions_before.json``, which this file's first version (commit
207174e) wrote against the code of e9bb6b3, before the modes moved. Since then: the checks
module is named in a checklist's header, a probability threshold is written exactly, ties
rank word < probability < checklist, and the weather checks gained
``weather_without_call`` (it must fire on none of these rows, whose records all hold a call
or carry no figures). And v3 without a tool record (its ``no_record`` rows) sends no
``<tools>`` block and says the answer is judged on its own; with a record it sends the same
prompt as before. The v4 section was rewritten on purpose when the weather checks came
to read what the question asks for (branch checks-robust, after 4448edc): v4's labels on
these rows stayed as they were; the checks that fire changed on 16 rows (a question back
no longer also counts as a missed place or plan, tool markup ending in ``>`` is no cut-off
answer, "a low risk of rain" asserts no rain) and the scores of the checks added then
(``quantity_missing``, ``other_day``, ``real_place_unknown``) are in it. The align section
reads the gold rows' check scores as they were at 4448edc (``data/gold_check_signals.json``),
so it measures ``align`` alone. v2 was reworded so that its two rules sit inside the label
definitions (as a rule list the local model answered not_helpful for every row): its rows
were rewritten then.

``JUDGE_ALIGN_WRITE_SNAPSHOT=1`` writes the snapshot instead of comparing (only for a change
that is meant to alter verdicts; the diff of the JSON file then shows what changed)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
from pathlib import Path
from typing import Any

from evaluators.checks.base import Row
from evaluators.checks.combine import LOGISTIC, Combiner
from evaluators.checks.modules import WEATHER, load_checks
from evaluators.endpoint import Endpoint
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from evaluators.modes.base import Context, Signals
from evaluators.modes.checklist import ChecklistMode
from evaluators.modes.probability import ProbabilityMode
from evaluators.modes.word import WordMode
from evaluators.prompt_files import load_prompt, parse_prompt
from pipeline.align.crossval import cross_validate
from pipeline.gold.files import DEMO
from pipeline.gold.traces import read_traces, trace_tools
from tests.support.scripted_llm import ScriptedLLM, label_logprobs
from tests.support.versions import checklist_v4

DATA = Path(__file__).parent / "data"
SNAPSHOT = DATA / "versions_before.json"

H, N = HELPFUL, NOT_HELPFUL


NEW_CHECKS = frozenset({"weather_without_call"})
"""Checks added to the weather module since the snapshot: reported, never firing here."""


def check_scores(question: str, answer: str, tools: list[ToolCall] | None,
                 reading: dict[str, Any] | None = None) -> dict[str, float]:
    scores = load_checks(WEATHER).scores(Row(question, answer, None if tools is None
                                             else tuple(tools), reading))
    assert not any(scores[name] for name in NEW_CHECKS)
    return {name: score for name, score in scores.items() if name not in NEW_CHECKS}


def without_new_checks(output: dict[str, Any]) -> dict[str, Any]:
    checks = {k: v for k, v in output.get("checks", {}).items() if k not in NEW_CHECKS}
    return {**output, "checks": checks} if "checks" in output else output


SNAPSHOT_ROWS = 69
"""The gold traces recorded when the snapshot was taken: the file only grows at its end."""


def gold_rows() -> list[tuple[str, str, str, list[ToolCall]]]:
    """(span id, question, answer, tool record) of the snapshot's gold traces (no label)."""
    return [(t["root_span_id"], t["question"], t["answer"], trace_tools(t))
            for t in read_traces(DEMO.traces)[:SNAPSHOT_ROWS]]


def compare_or_write(section: str, found: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's ``section`` (after writing ``found`` there when asked to)."""
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.is_file() else {}
    if os.environ.get("JUDGE_ALIGN_WRITE_SNAPSHOT") == "1":
        stored[section] = found
        SNAPSHOT.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
    return stored[section]


def _checklist_verdict(prompt, question: str, answer: str, tools) -> dict[str, Any]:
    judge = make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), prompt)
    return without_new_checks(asyncio.run(judge.judge(question, answer, tools)).as_output())


def test_v4_gives_the_same_verdicts_on_the_gold_rows() -> None:
    """v4 (checklist, wording read by code): every gold row, with its tool record and with
    none; and the model-reading path with a fixed reading, and a logistic combination."""
    v4 = checklist_v4()
    weights = {"refusal": -2.5, "missed_place": -1.5, "wrong_figures": -1.0, "echo": -0.7,
               "asks_for_missing_place": 1.2}
    logistic = Combiner(LOGISTIC, weights, 0.8, 0.5)
    found = {}
    for span_id, question, answer, tools in gold_rows():
        reading = {"places": [c.arguments.get("location", "") for c in tools[:1]],
                   "asks_for": ["plan" if "do" in question else "weather"]}
        scores = check_scores(question, answer, tools, reading)
        found[span_id] = {
            "recorded": _checklist_verdict(v4, question, answer, tools),
            "no_record": _checklist_verdict(v4, question, answer, None),
            "model_reading": scores,
            "logistic": round(logistic.probability(scores), 9),
        }
    assert found == compare_or_write("v4", found)


REPLIES = [
    {"content": "helpful\nIt answers.", "logprobs": label_logprobs("helpful", 0.7)},
    {"content": "Not helpful - wrong unit", "logprobs": label_logprobs("not_helpful", 0.8)},
    {"content": "**Verdict:** not_helpful", "logprobs": label_logprobs("not_helpful", 0.55)},
    {"content": "maybe", "logprobs": label_logprobs("helpful", 0.6)},
    {"content": "helpful"},
]


def scripted_reply(request: dict[str, Any]) -> dict[str, Any]:
    """A reply chosen by the hash of the prompt sent (a different prompt, a different pick)."""
    content = request["messages"][-1]["content"]
    return REPLIES[int(hashlib.sha256(content.encode()).hexdigest(), 16) % len(REPLIES)]


def test_v1_to_v3_give_the_same_verdicts_for_the_same_replies(
        scripted_llm: type[ScriptedLLM]) -> None:
    """Each hand-written version (and v1 read by probability) on the first 12 gold rows:
    the prompt sent (its hash) and the verdict made of the scripted reply."""
    v1 = load_prompt("v1")
    by_probability = parse_prompt("---\nmode: probability\nthreshold: 0.65\n---\n"
                                  + v1.template, version="v1p", path=v1.path)
    prompts = [load_prompt(v) for v in ("v1", "v2", "v3")] + [by_probability]
    found: dict[str, Any] = {}
    with scripted_llm(scripted_reply) as server:
        endpoint = Endpoint(server.base_url, "k", "scripted")

        async def judge_all() -> None:
            for prompt in prompts:
                judge = make_judge(endpoint, prompt)
                for span_id, question, answer, tools in gold_rows()[:12]:
                    for record in ("recorded", "no_record"):
                        verdict = await judge.judge(question, answer,
                                                    tools if record == "recorded" else None)
                        sent = server.requests[-1]["messages"][-1]["content"]
                        found[f"{prompt.version} {span_id} {record}"] = {
                            "sent": hashlib.sha256(sent.encode()).hexdigest(),
                            "verdict": verdict.as_output()}
                await judge.aclose()

        asyncio.run(judge_all())
    assert found == compare_or_write("v1-v3", found)


def synthetic_signals() -> tuple[list[Signals], list[str]]:
    """40 rows of made-up signals (seeded): two versions' words and probabilities (some
    missing), check scores by either reading."""
    rng = random.Random(7)
    rows, labels = [], []
    for _ in range(40):
        label = H if rng.random() < 0.45 else N
        fails = label == N
        words = {v: (label if rng.random() < hit else (N if label == H else H))
                 for v, hit in (("v1", 0.75), ("v2", 0.55))}
        probabilities = {v: (None if rng.random() < 0.1 else round(
            min(1.0, max(0.0, rng.gauss(0.62 if label == H else 0.4, 0.2))), 3))
            for v in ("v1", "v2")}
        checks = {reading: {name: float(fails and rng.random() < share)
                            for name, share in (("refusal", 0.4), ("missed_place", 0.3),
                                                ("wrong_figures", 0.3 * (reading == "model")),
                                                ("echo", 0.1))}
                  for reading in ("model", "wording")}
        checks["wording"]["asks_for_missing_place"] = float(not fails and rng.random() < 0.2)
        rows.append(Signals(words, probabilities, checks))
        labels.append(label)
    return rows, labels


GOLD_SIGNALS = Path(__file__).parent / "data" / "gold_check_signals.json"


def gold_signals() -> tuple[list[Signals], list[str]]:
    """The gold rows' check scores by the wording and by a fixed reading (the first call's
    place), with made-up labels (not_helpful where a check fired, one in seven turned
    around): no human label is read. Frozen in ``data/gold_check_signals.json`` as the
    checks scored them at 4448edc, so this section measures ``align``'s fitting alone, not
    the checks (whose own snapshot is the v4 section)."""
    data = json.loads(GOLD_SIGNALS.read_text(encoding="utf-8"))
    return [Signals({}, {}, checks) for checks in data["rows"]], list(data["labels"])


MODES_BEFORE = (WordMode(), ProbabilityMode(), ChecklistMode())
"""The modes the snapshot knew (stacked and few-shot came after it)."""


def _outcomes(rows: list[Signals], labels: list[str], versions: list[str]
              ) -> dict[str, Any]:
    context = Context(tuple(load_prompt(v) for v in versions), WEATHER)
    found = {}
    for candidate in (c for mode in MODES_BEFORE for c in mode.candidates(context)):
        score = cross_validate(candidate, rows, labels, k=5, seed=3)
        fitted = candidate.fit(rows, labels)
        header = fitted.header()
        if header["mode"] == "checklist":  # the module is named now: the rest is as it was
            assert header.pop("checks") == WEATHER
        if header["mode"] == "probability":  # written exactly now, was rounded to 4 places
            header["threshold"] = round(header["threshold"], 4)
        found[candidate.name] = {
            "complexity": candidate.complexity,
            "held_out": list(score.predictions),
            "header": header,
            "fitted": [fitted.predict(row) for row in rows],
            "score": [None if (s := fitted.score(row)) is None else round(s, 6)
                      for row in rows]}
    return found


def test_align_fits_and_predicts_as_before() -> None:
    found = {"synthetic": _outcomes(*synthetic_signals(), ["v1", "v2"]),
             "gold checks": _outcomes(*gold_signals(), [])}
    before = compare_or_write("align", found)
    # Ties now go word < probability < checklist any < logistic (the checklist used to share
    # the word's and the threshold's ranks); everything else is as it was.
    for section in found.values():
        for outcome in section.values():
            outcome.pop("complexity")
    for section in before.values():
        for outcome in section.values():
            outcome.pop("complexity")
    assert found == before
