"""`make demo` end to end: gold traces and human labels into Phoenix, the dataset, judge
experiments v1-v3, the comparison, and the experiments as the Phoenix UI shows them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluators.prompt_files import available_versions, load_prompt
from pipeline.dataset.importer import read_examples
from pipeline.demo import GOLD_DATASET, VERSIONS, DemoResult, run_demo
from pipeline.experiment.report import ExperimentReport
from pipeline.gold.files import DEMO, EXTERNAL
from pipeline.gold.splits import read_splits
from pipeline.settings import Settings
from tests.conftest import scripted_settings
from tests.support.chromium import Chromium
from tests.support.gold import gold_labels, gold_traces
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import base_url

pytestmark = pytest.mark.server  # starts its own servers


def test_gold_set_is_large_balanced_and_fully_labeled() -> None:
    traces = {t["root_span_id"]: t for t in gold_traces()}
    labels = gold_labels()
    assert len(labels) >= 60
    assert set(labels) <= set(traces), "every label names a recorded root span"
    assert set(labels.values()) == {"helpful", "not_helpful"}
    for label in ("helpful", "not_helpful"):
        assert sum(v == label for v in labels.values()) / len(labels) >= 0.35
    assert all(traces[span_id]["answer"] for span_id in labels)


def scripted_judge() -> tuple[Any, dict[str, float]]:
    """v1 always says helpful, v2 always not_helpful, v3 always agrees with the human; the
    expected match rates follow from the gold labels."""
    labels = gold_labels()
    by_answer = {t["answer"].strip(): labels[t["root_span_id"]] for t in gold_traces()
                 if t["root_span_id"] in labels}
    by_answer |= {e["input"]["answer"].strip(): e["output"]["label"]
                  for e in read_examples(EXTERNAL.pairs)}
    prefixes = {v: load_prompt(v).template.split("{{")[0] for v in VERSIONS}
    helpful = sum(v == "helpful" for v in labels.values()) / len(labels)

    def reply(request: dict[str, Any]) -> dict[str, Any]:
        content = request["messages"][-1]["content"]
        version = next((v for v, prefix in prefixes.items() if content.startswith(prefix)),
                       None)
        if request.get("response_format") and version is None and "<question>" in content:
            return {"content": '{"places": [], "asks_for": ["weather"]}'}  # the checklist
        if version is None:  # the live agent step (reading the question, then writing)
            return {"content": "It is 20°C and sunny in Paris."}
        answer = content.rsplit("<answer>\n", 1)[1].split("\n</answer>", 1)[0]
        truth = by_answer[answer.replace("<\\/", "</").strip()]  # tags inside were escaped
        label = {"v1": "helpful", "v2": "not_helpful", "v3": truth}[version]
        return {"content": f"{label}\nscripted verdict"}

    # align chooses v3's word (right on every dev row) and writes it as v4
    return reply, {"v1": helpful, "v2": 1 - helpful, "v3": 1.0, "v4": 1.0}


@dataclass
class Demo:
    """Two demo runs on a scripted judge, and where they put things."""

    first: DemoResult
    second: DemoResult
    expected: dict[str, float]
    prompts: Path
    dataset_id: str


@pytest.fixture(scope="module")
def demo(phoenix: Settings, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``make demo`` twice, from a directory without a prompts folder: v1-v3 are read from
    the packaged templates, and align makes the folder (not in the repository)."""
    reply, expected = scripted_judge()
    prompts = tmp_path_factory.mktemp("demo") / "prompts"
    with ScriptedLLM(reply) as server:
        settings = dataclasses.replace(scripted_settings(phoenix, server), prompts_dir=prompts)
        first = run_demo(settings, live_questions=1, concurrency=4)
        second = run_demo(settings, live_questions=0, concurrency=4)
    dataset_id = httpx.get(f"{base_url(phoenix)}/v1/datasets",
                           params={"name": GOLD_DATASET}).json()["data"][0]["id"]
    return Demo(first, second, expected, prompts, dataset_id)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """A headless Chromium (the test skips, saying what to install, where it is missing);
    asked for before ``demo`` so a skip costs no demo run."""
    with Chromium() as chromium:
        yield chromium


def test_demo_runs_the_loop_and_is_safe_to_run_twice(phoenix: Settings, demo: Demo) -> None:
    first, second = demo.first, demo.second
    assert first.uploaded == len(gold_traces()) and first.already_loaded == 0
    assert first.live_answers == 1
    assert [title[0] for title in first.step_seconds] == ["1", "4", "5", "6", "7"]
    assert 0 < sum(first.step_seconds.values()) <= first.seconds
    assert first.aligned == "v4" and load_prompt("v4", demo.prompts).fitted
    assert available_versions(demo.prompts) == [*VERSIONS, "v4"]  # the templates beside it
    by_prompt = {s.prompt: s for s in first.summaries}
    assert sorted(by_prompt) == [*VERSIONS, "v4"]
    for version, rate in demo.expected.items():
        assert by_prompt[version].match_rate is not None
        assert by_prompt[version].match_rate.value == pytest.approx(rate)
        assert by_prompt[version].n == len(gold_labels())
    pairs = [e["output"]["label"] for e in read_examples(EXTERNAL.pairs)]
    external = {s.prompt: s for s in first.external_summaries}  # read, never fitted on
    assert sorted(external) == [*VERSIONS, "v4"]
    assert all(s.n == len(pairs) for s in external.values())
    assert external["v1"].match_rate.value == pytest.approx(pairs.count("helpful") / len(pairs))
    assert external["v3"].match_rate.value == external["v4"].match_rate.value == 1.0
    splits = read_splits(DEMO.splits)
    assert by_prompt["v4"].by_split == {"dev": 1.0, "test": 1.0}
    assert sorted(splits.values()).count("test") >= 20

    assert second.uploaded == 0 and second.already_loaded == first.uploaded
    assert sorted(second.reused) == sorted(VERSIONS * 2)  # gold and external, from the folder

    assert second.experiments == first.experiments  # v4 too: the same fit, resumed
    assert second.aligned == "v4" and len(second.summaries) == 4

    assert first.gold_traces_url.startswith(f"{base_url(phoenix)}/projects/")
    for report in first.reports.values():
        assert report.links.source_project == "weather-agent-gold"
        assert report.links.source_traces == first.gold_traces_url


def test_phoenix_shows_the_demo_as_the_reports_do(browser: Chromium, phoenix: Settings,
                                                  demo: Demo) -> None:
    the_experiments_table_shows_the_reports_figures(browser, phoenix, demo.dataset_id,
                                                    demo.first)
    a_runs_trace_opens_with_the_judges_llm_span(browser, demo.first.reports["v3"])
    the_split_filter_shows_dev_and_test(browser, phoenix, demo.dataset_id)


def the_experiments_table_shows_the_reports_figures(browser: Chromium, phoenix: Settings,
                                                    dataset_id: str, demo: DemoResult) -> None:
    """One row per judge version, its exact_match / tpr / tnr means the report's figures
    (the table shows two decimals), tokens counted from the traces, figures described."""
    page = browser.open(f"{base_url(phoenix)}/datasets/{dataset_id}/experiments")
    page.wait_for_text(*(f"judge-{v}-scripted" for v in (*VERSIONS, "v4")), "tpr", "tnr")
    # tokens come from the traces, which Phoenix ingests a moment after the runs; the
    # aligned version's run reuses the verdicts align computed, so it calls no model
    def called(row: dict[str, str]) -> bool:
        return any(row.get("name", "").endswith(f"judge-{v}-scripted") for v in VERSIONS)

    table = page.wait_for_table(lambda rows: len(rows) >= len(VERSIONS) and all(
        r.get("total tokens", "--") != "--" for r in rows if called(r)))
    rows = {row["name"].split()[-1]: row for row in table if row.get("name")}
    for version, report in demo.reports.items():
        row = rows[f"judge-{version}-scripted"]
        a = report.agreement
        for column, value in (("exact_match", a.match_rate.value), ("tpr", a.tpr),
                              ("tnr", a.tnr)):
            assert value is not None and abs(float(row[column]) - value) < 0.01, (
                version, column, row[column], value)
        tokens = f"{12 * a.n:,}" if version in VERSIONS else "--"  # the scripted usage
        assert row["total tokens"] == tokens, (version, row["total tokens"])
        assert row["description"].startswith("kappa ")
        assert row["splits"] == "all examples"


def a_runs_trace_opens_with_the_judges_llm_span(browser: Chromium,
                                                report: ExperimentReport) -> None:
    """From the compare view, a run's trace button opens its trace: the task span and the
    judge's LLM span, whose input is the rendered prompt and whose output is the reply."""
    page = browser.open(report.links.compare)
    trace_button = "document.querySelector('button[aria-label=\"View run trace\"]')"
    page.wait_for(f"!!{trace_button}")
    page.click(trace_button)
    page.wait_for_text("Task: judge", "ChatCompletion")
    page.click_text("ChatCompletion")
    page.wait_for_text(load_prompt("v3").template[:60], "scripted verdict")


def the_split_filter_shows_dev_and_test(browser: Chromium, phoenix: Settings,
                                        dataset_id: str) -> None:
    """The examples page's split filter offers dev and test; choosing dev leaves only dev
    examples in the table."""
    dev = {e["id"] for e in httpx.get(f"{base_url(phoenix)}/v1/datasets/{dataset_id}/examples",
                                      timeout=30).json()["data"]["examples"]
           if e["metadata"]["split"] == "dev"}
    page = browser.open(f"{base_url(phoenix)}/datasets/{dataset_id}/examples")
    page.wait_for_table(lambda rows: {"dev", "test"} <= {r.get("splits") for r in rows})
    page.click_text("Splits", "button")
    options = page.wait_for("[...document.querySelectorAll('[role=menuitemcheckbox]')]"
                            ".map(o => o.innerText.trim())")
    assert {"dev", "test"} <= set(options)
    page.click_text("dev", "[role=menuitemcheckbox]")
    rows = page.wait_for_table(lambda rows: {r.get("splits") for r in rows if r.get("id")}
                               == {"dev"})
    shown = {row["id"] for row in rows if row.get("id")}  # the rows in view (a long table
    assert shown and shown <= dev                         # renders only those)
