"""The whole loop on "your own app": the cooking assistant (``agent_demo/cooking``: the plain
openai SDK, LLM root spans, its own prompts folder and rubric, no checks module) answers the
42 questions of its bank from the scripted server (tests/support/scripted_cooking.py: 24
answered well, 18 badly) into a real Phoenix; then ``judge-align`` runs as its user runs
it: dataset build, labels from a file, ``labels``, an experiment with the app's own
prompt, ``align`` with no checks module, and ``judge-traces`` with the version it wrote."""

from __future__ import annotations

import re
import shutil
import uuid
from collections import Counter
from pathlib import Path

from evaluators.labels import HELPFUL
from evaluators.prompt_files import available_versions, load_prompt
from pipeline.phoenix import datasets, experiments
from pipeline.settings import Settings
from tests.agent_demo.cooking.test_traces import project_spans, run_app
from tests.pipeline.dataset.test_any_app import rest_examples
from tests.support import scripted_cooking as scripted
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import connect
from tests.support.traces import run_judge_align

GENERIC_MODES = {"word", "probability", "stacked", "fewshot"}


def test_the_cooking_app_goes_from_traces_to_an_aligned_judge(phoenix: Settings,
                                                               tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    project, dataset = f"cooking-loop-{tag}", f"cooking-loop-{tag}-labeled"
    prompts = tmp_path / "my-app" / "prompts"  # the app's prompts folder, as its user keeps it
    shutil.copytree(scripted.APP_PROMPTS, prompts)
    bank = len(scripted.SCRIPT)

    with ScriptedLLM(scripted.reply) as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
               "JUDGE_MODEL": "scripted", "JUDGE_ALIGN_PROMPTS_DIR": str(prompts)}

        def judge_align(*args: str) -> str:
            done = run_judge_align(phoenix, *args, project=project, dataset=dataset, **env)
            assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
            return done.stdout

        # 1. The app's traces: one LLM root span per question.
        app = run_app(phoenix, server, project, tmp_path, questions=None, n=bank)
        assert app.returncode == 0 and f"{bank} of {bank} answered" in app.stdout, app.stderr
        roots = {s["context"]["span_id"] for s in project_spans(phoenix, project, bank)}
        assert len(roots) == bank

        # 2. The dataset: examples read as text, linked to their spans.
        built = judge_align("dataset", "build")
        assert f"added {bank} new spans" in built
        assert f"question: messages {bank}; answer: messages {bank}" in built, built
        examples = rest_examples(phoenix, dataset)
        assert {e["source"]["span_id"] for e in examples} == roots
        for example in examples:
            row = scripted.BY_QUESTION[example["input"]["question"]]
            assert example["input"] == {"question": row.question, "answer": row.answer,
                                        "tools": []}
        splits = Counter(e["metadata"]["split"] for e in examples)

        # 3. Labels from a file (the script's own answers, labeled by the script), then
        #    copied into the dataset.
        labels = scripted.write_labels(scripted.label_rows(
            (e["source"]["span_id"], e["input"]["answer"]) for e in examples),
            tmp_path / "labels.csv")
        annotated = judge_align("annotate", "--labels", str(labels))
        assert f"{bank} labels: {bank} new, 0 changed" in annotated, annotated
        synced = judge_align("labels")
        assert f"{bank} examples: {bank} labeled, 0 still without a label" in synced, synced

        # 4. An experiment with the app's own strict prompt.
        strict = load_prompt("v2", prompts)
        assert "weather" not in strict.template.lower()
        experiment = judge_align("experiment", "--prompt", "v2")
        right = sum((scripted.p_helpful(s, strict=True) >= 0.5) == (s.label == HELPFUL)
                    for s in scripted.SCRIPT)
        assert f"{right / bank:.1%}" in experiment, experiment

        # 5. align with no checks module named anywhere.
        aligned = judge_align("align")
        # 6. The written version judges the app's traces (LLM annotations in Phoenix).
        version = available_versions(prompts)[-1]
        judged = judge_align("judge-traces", "--prompt", version)

    assert "no checks module named: generic candidates only" in aligned, aligned
    assert "checklist" not in aligned.lower()
    for candidate in ("v1 word", "v2 word", "stacked v1, v2", "few-shot"):
        assert candidate in aligned, candidate
    # The version went into the app's prompts folder, after the app's own two; the packaged
    # weather templates were neither read nor copied there.
    assert version == "v3" and f"prompt version v3: written, {prompts / 'v3.txt'}" in aligned
    assert "made the prompts folder" not in aligned
    written = load_prompt("v3", prompts)
    assert written.mode in GENERIC_MODES and not written.checks
    assert f"dev rows of {dataset}" in written.fitted
    assert not any("weather" in path.read_text().lower() for path in prompts.iterdir())
    # The final run: every candidate scored on the test split, and the version's experiment
    # over every row with dev and test apart.
    assert f"gold test {splits['test']} rows" in aligned, aligned
    assert re.search(r"v3 on the whole dataset: dev \d+\.\d% \(kappa -?\d\.\d+\), test "
                     r"\d+\.\d% \(kappa", aligned), aligned
    px = connect(phoenix)
    stored = datasets.require(px, dataset)
    kept = experiments.judge_experiments(px, stored.id)[-1]["metadata"]["align"]
    assert {c["candidate"] for c in kept["candidates"] if c["chosen"]} and all(
        c["gold test"]["n"] == splits["test"] and "checklist" not in c["candidate"]
        for c in kept["candidates"])
    assert re.search(rf"judged now +│ {bank} \(\d+ helpful, \d+ not_helpful, 0 invalid\)",
                     judged), judged
