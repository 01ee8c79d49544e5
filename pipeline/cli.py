"""The ``judge-align`` command line; the Makefile targets wrap these subcommands.

The top floor: options in, orchestration, and the one place where exceptions become exit
codes (:func:`main`). Heavy modules (Phoenix client, OpenTelemetry, pandas, openai) are
imported inside the commands, so ``judge-align --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.phoenix.span_text import ANSWER, QUESTION, SpanText
from pipeline.settings import Settings, load
from pipeline.steps import ask_agent, connect, run_experiment, show_comparison

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.gold.files import GoldFiles
    from pipeline.phoenix.spans import SpanFilter

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Align an LLM-as-a-judge with human labels on Arize Phoenix.")
dataset_app = typer.Typer(no_args_is_help=True, help="Build or import the labeled dataset.")
prompts_app = typer.Typer(no_args_is_help=True, help="The judge prompt versions: your prompts "
                          "folder, or the packaged templates v1-v3 until you have one.")
gold_app = typer.Typer(no_args_is_help=True, help="Record and check the gold set (gold/).")
app.add_typer(dataset_app, name="dataset")
app.add_typer(prompts_app, name="prompts")
app.add_typer(gold_app, name="gold")

Since = Annotated[str | None, typer.Option(
    help="Only spans after this time (ISO 8601, or e.g. 2h, 3d).")]
Limit = Annotated[int | None, typer.Option(help="Only the newest N root spans.")]
PromptsDir = Annotated[Path | None, typer.Option(
    help="The prompts folder (default: JUDGE_ALIGN_PROMPTS_DIR, else ./prompts when it "
         "exists, else the packaged templates v1-v3).")]
Question = Annotated[str | None, typer.Option(metavar="PATH", help=QUESTION.help())]
Answer = Annotated[str | None, typer.Option(metavar="PATH", help=ANSWER.help())]


def _console() -> Console:
    from rich.console import Console

    return Console()


def _span_filter(since: str | None = None, limit: int | None = None, **more: object
                 ) -> SpanFilter:
    from pipeline.phoenix.spans import SpanFilter, parse_since

    return SpanFilter(since=parse_since(since) if since else None, limit=limit, **more)


def _span_text(question: str | None, answer: str | None) -> SpanText:
    return SpanText.of(question, answer)


def _echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def _settings(prompts_dir: Path | None = None) -> Settings:
    """The settings, with the prompts folder a ``--prompts-dir`` option named."""
    import dataclasses

    settings = load()
    if prompts_dir is None:
        return settings
    return dataclasses.replace(settings, prompts_dir=prompts_dir.expanduser().absolute(),
                               prompts_dir_explicit=True)


# --- the local stack -------------------------------------------------------------------------

@app.command()
def up(llm: Annotated[bool | None, typer.Option(
        "--llm/--no-llm", help="Start the local model (default: when no endpoint is set).")] = None
       ) -> None:
    """Start Phoenix on loopback (and the local model when no LLM endpoint is configured)."""
    from pipeline import stack
    from pipeline.phoenix.connection import Phoenix

    settings = load()
    _echo_lines(stack.up(settings, with_llm=llm))
    typer.echo(f"Phoenix UI: {Phoenix.at(settings).base_url}")


@app.command()
def down() -> None:
    """Stop Phoenix and the local model server."""
    from pipeline import stack

    _echo_lines(stack.down(load()))


@app.command()
def status() -> None:
    """Show what is running."""
    from pipeline import stack

    _echo_lines(stack.status(load()))


@app.command()
def logs(service: Annotated[str, typer.Argument(help="phoenix or llm")] = "phoenix",
         lines: int = 40) -> None:
    """Print the last lines of a service's log."""
    log = load().run_dir / f"{service}.log"
    if not log.is_file():
        raise typer.BadParameter(f"no log at {log}: has `make up` run?")
    typer.echo("\n".join(log.read_text(errors="replace").splitlines()[-lines:]))


@app.command()
def llm() -> None:
    """Fetch and verify the default local model, then serve it on loopback."""
    from pipeline import stack

    settings = load()
    typer.echo(stack.start_llm(settings))
    typer.echo(f"OpenAI-compatible endpoint: {settings.local_llm_url} "
               f"(model {settings.judge_model_name}); stop it with `make down`")


# --- the agent ----------------------------------------------------------------------------------

@app.command()
def agent(n: Annotated[int, typer.Option("--n", help="How many questions to ask.")] = 10,
          questions: Annotated[Path | None, typer.Option(
              help="A JSON list, JSONL, a JSON object of category -> questions, or one "
                   "question per line (default: the built-in bank).")] = None,
          seed: Annotated[int, typer.Option(help="Seed of the question sample.")] = 0,
          variant: Annotated[str | None, typer.Option(
              help="A deliberately broken agent (agent_demo/variants.py: one per rubric "
                   "failure), to record provoked failures for the gold set; marked in the "
                   "trace metadata.")
          ] = None) -> None:
    """Run the demo agent on N questions; each answer is one trace in Phoenix."""
    ask_agent(load(), _console(), n=n, seed=seed, questions=questions, variant=variant)


# --- dataset and labels -----------------------------------------------------------------------

@dataset_app.command("build")
def dataset_build(name: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
                  since: Since = None,
                  limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
                  sample: Annotated[int | None, typer.Option(
                      help="A seeded random sample of this many spans.")] = None,
                  seed: int = 0,
                  query: Annotated[str | None, typer.Option(
                      help="A Phoenix span filter, e.g. \"metadata['category'] == 'units'\" "
                           "or \"span_kind == 'LLM'\".")
                  ] = None,
                  question: Question = None, answer: Answer = None) -> None:
    """Turn the project's root spans (AGENT, CHAIN, LLM, ...) into a Phoenix dataset; only
    new spans are added. Spans where no question or answer is found are listed with the
    reason and the option that reads them."""
    from pipeline.dataset.build import build
    from pipeline.views.dataset import render_build
    from pipeline.views.progress import progress_bar

    span_filter = _span_filter(since, limit, sample=sample, seed=seed, query=query)
    text = _span_text(question, answer)
    settings = load()
    phoenix = connect(settings, timeout=300)
    with progress_bar(transient=True) as bar:
        bar.start(f"reading root spans of {settings.project}")
        report = build(phoenix, name or settings.dataset, settings.project, span_filter,
                       on_page=lambda n: bar.start(f"read {n} root spans"), text=text)
    render_build(report, _console())


@dataset_app.command("import")
def dataset_import(file: Path,
                   name: Annotated[str | None, typer.Option(help="Dataset name.")] = None
                   ) -> None:
    """Import an already labeled set (JSONL or CSV with input, output, label)."""
    from pipeline.dataset.importer import import_file
    from pipeline.views.dataset import render_import

    settings = load()
    report = import_file(connect(settings, timeout=300), name or settings.dataset, file)
    render_import(report, str(file), _console())


@app.command()
def annotate(labels: Annotated[Path | None, typer.Option(
        help="CSV or JSONL keyed by span_id with a label column; omit for the terminal labeler.")
             ] = None,
             queue: Annotated[Path | None, typer.Option(
                 help="Span ids to label first, one per line (e.g. from suggest-labels).")
             ] = None,
             annotator: Annotated[str | None, typer.Option(
                 help="Your name, kept with each label you give in the terminal.")] = None,
             question: Question = None, answer: Answer = None) -> None:
    """Label root spans as helpful / not_helpful (HUMAN annotations in Phoenix)."""
    from pipeline.labeling import labeler

    text = _span_text(question, answer)
    settings = load()
    phoenix = connect(settings)
    if labels is not None:
        from pipeline.labeling.label_file import apply_file

        report = apply_file(phoenix, settings.project, labels)
        typer.echo(report.config)
        typer.echo(f"{labels}: {report.rows} labels: {report.written} new, {report.changed} "
                   f"changed, {report.unchanged} already in Phoenix")
        typer.echo(f"next: `make labels` copies them into the dataset "
                   f"({phoenix.project_url(settings.project)})")
        return
    from pipeline.views.labeling import TerminalScreen, read_key

    labeler.run(phoenix, settings.project, read_key, TerminalScreen(_console()),
                queue=labeler.read_queue(queue) if queue else None, annotator=annotator,
                text=text)


@app.command()
def labels(name: Annotated[str | None, typer.Option(help="Dataset name.")] = None) -> None:
    """Copy the human labels into the dataset's examples and report the class balance."""
    from pipeline.labeling.sync import sync
    from pipeline.views.dataset import render_labels

    settings = load()
    report = sync(connect(settings, timeout=300), name or settings.dataset, settings.project)
    render_labels(report, _console())


# --- judge experiments --------------------------------------------------------------------------

@prompts_app.command("init")
def prompts_init(prompts_dir: PromptsDir = None) -> None:
    """Copy the packaged templates (v1-v3) into your prompts folder (./prompts by default),
    to edit them or add your own versions beside them; files already there are kept."""
    from evaluators.prompt_files import available_versions, copy_templates

    folder = _settings(prompts_dir).prompts_dir
    copied = copy_templates(folder)
    kept = [v for v in available_versions(folder) if v not in copied]
    typer.echo(f"{folder}: copied {', '.join(copied) or 'nothing'} from the packaged "
               "templates" + (f", kept {', '.join(kept)}" if kept else "")
               + "; edit them, or add vN.txt files beside them")


@prompts_app.command("push")
def prompts_push(prompts_dir: PromptsDir = None) -> None:
    """Push every prompt version to Phoenix's prompt store, tagged by version."""
    from rich.table import Table

    from evaluators.prompt_files import load_all
    from pipeline.phoenix.prompts import PROMPT_NAME, push_prompts

    settings = _settings(prompts_dir)
    files = load_all(settings.prompt_versions)
    phoenix = connect(settings)
    stored = push_prompts(phoenix, files, model_name=settings.judge_model_name)
    table = Table(title=f"Phoenix prompt {PROMPT_NAME!r}", title_justify="left")
    for column in ("tag", "version id", "status", "description"):
        table.add_column(column)
    for file, item in zip(files, stored, strict=True):
        table.add_row(item.version, item.version_id,
                      "new version" if item.created else "unchanged", file.description)
    _console().print(table)
    typer.echo(f"Phoenix prompts: {phoenix.prompt_url(stored[0].prompt_id if stored else None)}")


@app.command()
def experiment(prompt: Annotated[str, typer.Option(help="Prompt version, e.g. v3.")] = "v3",
               dataset: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
               model: Annotated[str | None, typer.Option(help="Judge model.")] = None,
               concurrency: int = 4,
               split: Annotated[str | None, typer.Option(help="dev, test, or all.")] = None,
               gate: Annotated[float | None, typer.Option(
                   help="Exit non-zero when the match rate is below this.")] = None,
               fresh: Annotated[bool, typer.Option(
                   "--fresh", help="Start a new experiment even when the last one with this "
                                   "prompt version, model, split and dataset version could "
                                   "be resumed or reused.")] = False,
               prompts_dir: PromptsDir = None) -> None:
    """Run a judge prompt over the labeled dataset as a Phoenix experiment and report.

    Re-running after an interruption resumes the experiment (only missing or failed
    examples are judged); when it is complete, it is shown again rather than re-run."""
    from pipeline.experiment.report import check_gate

    report = run_experiment(_settings(prompts_dir), _console(), prompt=prompt, dataset=dataset,
                            model=model, concurrency=concurrency, split=split,
                            resume=not fresh)
    check_gate(report, gate)


@app.command()
def invariance(prompt: Annotated[str, typer.Option(help="Prompt version, e.g. v4.")] = "v4",
               dataset: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
               split: Annotated[str | None, typer.Option(help="dev, test, or all.")] = None,
               model: Annotated[str | None, typer.Option(help="Judge model.")] = None,
               checks: Annotated[str | None, typer.Option(
                   help="Checks module whose PERTURBATIONS run ('none': the generic ones). "
                        "Default: the version's own, else the one the prompt versions "
                        "name.")] = None,
               only: Annotated[str | None, typer.Option(
                   help="Only these perturbations, comma-separated.")] = None,
               concurrency: int = 4, prompts_dir: PromptsDir = None) -> None:
    """Whether the judge's verdicts hold when the rows are perturbed (CheckList-style):
    unchanged under changes a person ignores (lower-case places, a polite opener, curly
    quotes, a markdown list, a place with its country, no preposition), not_helpful under
    changes that break a rubric rule (the asked unit swapped, the asked quantity left out,
    the answer about another city). Nothing is written to Phoenix."""
    from pipeline.steps import check_invariance

    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    check_invariance(_settings(prompts_dir), _console(), prompt=prompt, dataset=dataset,
                     model=model,
                     split=split, checks=checks, only=names, concurrency=concurrency)


@app.command()
def compare(dataset: Annotated[str | None, typer.Option(help="Dataset name.")] = None) -> None:
    """One table of every judge experiment on the dataset, with the Phoenix compare link."""
    settings = load()
    show_comparison(connect(settings), dataset or settings.dataset, _console())


@app.command()
def align(dataset: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
          model: Annotated[str | None, typer.Option(help="Judge model.")] = None,
          folds: Annotated[int, typer.Option(help="Cross-validation folds on dev.")] = 5,
          repeats: Annotated[int, typer.Option(
              help="Cross-validation repeats, each with its own fold seed.")] = 5,
          concurrency: Annotated[int, typer.Option(
              help="Judge calls in flight in the final experiment.")] = 2,
          checks: Annotated[str | None, typer.Option(
              help="Checks module (dotted path) for checklist candidates, or 'none'. "
                   "Default: the one the prompt versions' headers name.")] = None,
          external: Annotated[list[str] | None, typer.Option(
              help="A labeled dataset written elsewhere, read only by the final run (never "
                   "to fit or choose); may be given several times.")] = None,
          without: Annotated[list[str] | None, typer.Option(
              help="A mode whose candidates are not offered (word, probability, checklist, "
                   "stacked, fewshot), e.g. fewshot, the slowest on a CPU model; may be "
                   "given several times.")] = None,
          prompts_dir: PromptsDir = None) -> None:
    """Choose and fit a judge on the dev split, write it as the next prompt version into the
    prompts folder, then the final run: every candidate scored on the test split and the
    external sets, the chosen form's learning curve, and the version as one experiment over
    every row. Without a prompts folder yet, ./prompts is made with the packaged templates
    (the versions compared) beside the new one."""
    from pipeline.steps import align_judge

    align_judge(_settings(prompts_dir), _console(), dataset=dataset, model=model, folds=folds,
                repeats=repeats, concurrency=concurrency, checks=checks,
                external=external or (), left_out=without or ())


# --- the whole loop, and the judge at work ----------------------------------------------------

@app.command()
def demo(live: Annotated[int, typer.Option(
             help="How many live agent questions to ask at the end (0: none).")] = 3,
         concurrency: Annotated[int, typer.Option(help="Judge calls in flight.")] = 2) -> None:
    """The whole loop on the embedded defaults: gold traces, dataset, v1-v3, comparison."""
    from pipeline.demo import run_demo

    run_demo(load(), _console(), live_questions=live, concurrency=concurrency)


@app.command("judge-traces")
def judge_traces(prompt: Annotated[str, typer.Option(help="Prompt version, e.g. v3.")] = "v3",
                 project: Annotated[str | None, typer.Option(help="Phoenix project.")] = None,
                 since: Since = None, limit: Limit = None,
                 model: Annotated[str | None, typer.Option(help="Judge model.")] = None,
                 dataset: Annotated[str | None, typer.Option(
                     help="Dataset whose latest experiment of this judge gives its error "
                          "rates.")] = None,
                 concurrency: int = 4, prompts_dir: PromptsDir = None,
                 question: Question = None, answer: Answer = None) -> None:
    """Label root spans not yet judged by this prompt version (LLM annotations in Phoenix),
    then report the raw and the corrected pass rate."""
    from evaluators.prompt_files import load_prompt
    from pipeline.judging.traces import judge_traces as judge_new_traces
    from pipeline.views.judging import render_judge_traces
    from pipeline.views.progress import progress_bar

    settings = _settings(prompts_dir)
    prompts = settings.prompt_versions
    load_prompt(prompt, prompts)  # an unknown version is named before Phoenix is asked anything
    text = _span_text(question, answer)
    with progress_bar() as bar:
        report = judge_new_traces(
            connect(settings, timeout=300), settings.judge_endpoint(model),
            project=project or settings.project, dataset=dataset or settings.dataset,
            default_model=settings.judge_model_name, prompt=prompt,
            span_filter=_span_filter(since, limit), concurrency=concurrency,
            prompts_dir=prompts, progress=bar, text=text)
    render_judge_traces(report, _console())


@app.command("suggest-labels")
def suggest_labels(n: Annotated[int, typer.Option("--n", help="How many spans to pick.")] = 20,
                   seed: Annotated[int, typer.Option(help="Seed of the random picks.")] = 0,
                   out: Annotated[Path | None, typer.Option(
                       help="Queue file to write (default .run/label-queue.txt).")] = None,
                   project: Annotated[str | None, typer.Option(help="Phoenix project.")] = None,
                   since: Since = None, limit: Limit = None, question: Question = None,
                   answer: Answer = None) -> None:
    """Pick the unlabeled spans most worth a human label and queue them for `annotate`."""
    from pipeline.labeling import suggest
    from pipeline.views.labeling import render_suggestions

    span_filter, text = _span_filter(since, limit), _span_text(question, answer)
    settings = load()
    name = project or settings.project
    phoenix = connect(settings, timeout=300)
    result = suggest.suggest(phoenix, name, n=n, seed=seed, span_filter=span_filter,
                             text=text)
    if result.picks:
        result.queue = suggest.write_queue(result.picks, out or settings.run_dir /
                                           "label-queue.txt", project=name, seed=seed)
    render_suggestions(result, _console(), phoenix.project_url(name))


# --- the gold set -------------------------------------------------------------------------------

GoldDir = Annotated[Path | None, typer.Option(
    "--dir", help="The gold set's folder (default gold/ of a clone): traces.jsonl, the "
                  "labeling passes, the rulings, labels.csv, splits.csv.")]
SecondPass = Annotated[bool, typer.Option(
    "--second-pass", help="The blind second reading of a seeded sample of the traces pass 1 "
                          "labeled (labels-pass2.csv).")]
SampleSize = Annotated[int, typer.Option("--n", help="Second pass: how many traces.")]
SampleSeed = Annotated[int, typer.Option(
    help="Seed of the order traces are shown in, and of the second pass's sample.")]


def _gold(directory: Path | None) -> GoldFiles:
    """The gold set in ``directory``, or the demo's (refused outside a clone)."""
    from pipeline.gold.files import DEMO, GoldFiles

    return GoldFiles(directory) if directory else DEMO.require()


@gold_app.command("record")
def gold_record(project: Annotated[str, typer.Option(
                    help="The Phoenix project holding the runs to record.")],
                only: Annotated[Path | None, typer.Option(
                    help="Record only these root spans: a file with one span id per line, or "
                         "a labels CSV (its span_id column).")] = None,
                directory: GoldDir = None) -> None:
    """Append a project's traces (every span, tool calls included) to the gold traces file;
    traces already there are skipped."""
    from pipeline.gold.record import read_span_ids, record

    path = _gold(directory).traces
    added = record(connect(load(), timeout=300), project, path,
                   only=read_span_ids(only) if only else None)
    typer.echo(f"{path}: {added} traces added from project {project}")


@gold_app.command("load")
def gold_load(project: Annotated[str, typer.Option(
                  help="The Phoenix project to load the recorded traces into.")],
              directory: GoldDir = None) -> None:
    """Load a gold set's recorded traces into a Phoenix project (their span ids kept, so
    its labels file applies); traces already there are skipped."""
    from pipeline.gold.load import load as load_traces

    path = _gold(directory).traces
    uploaded, present = load_traces(connect(load(), timeout=300), project, path)
    typer.echo(f"{path}: {uploaded} traces loaded into project {project}, {present} "
               f"already there")


@gold_app.command("split")
def gold_split(seed: Annotated[int, typer.Option(help="Seed of the split.")] = 0,
               directory: GoldDir = None) -> None:
    """Write splits.csv: the gold set's dev/test split, stratified by label and category
    (30% test in each), fixed by the seed."""
    from collections import Counter

    from pipeline.gold.splits import compute_splits, write_splits

    files = _gold(directory)
    splits = compute_splits(files, seed=seed)
    path = write_splits(splits, files.splits)
    counts = Counter(splits.values())
    typer.echo(f"{path}: {counts['dev']} dev, {counts['test']} test (seed {seed})")


@gold_app.command("label")
def gold_label(second: SecondPass = False, n: SampleSize = 60, seed: SampleSeed = 1,
               filled: Annotated[Path | None, typer.Option(
                   "--from", help="Take the labels of a filled-in file (span_id,label,"
                                  "explanation; from `gold sheet`) instead of asking.")] = None,
               directory: GoldDir = None) -> None:
    """Label the recorded gold traces in the terminal, reading each whole trace (you, a
    person, following docs/rubric.md: labels are never written by a model)."""
    from pipeline.gold import labeler
    from pipeline.views.labeling import GoldTraceScreen, read_key, read_line

    files = _gold(directory)
    traces, path = labeler.todo(2 if second else 1, n=n, seed=seed, files=files)
    if not traces:
        typer.echo(f"nothing to label: every trace of this pass has a label in {path}")
        return
    if filled is not None:
        typer.echo(f"{path}: {labeler.take_file(filled, traces, path)} labels taken from "
                   f"{filled}, {len(traces)} were to label")
    else:
        done = labeler.run(traces, path, read_key, read_line, GoldTraceScreen(_console()))
        typer.echo(f"{path}: {len(done.written)} labels written, {done.skipped} skipped, "
                   f"{done.to_label - len(done.written) - done.skipped} left for next time")
    typer.echo(f"{files.labels}: {labeler.finish(files)} final labels")


@gold_app.command("sheet")
def gold_sheet(out: Annotated[Path, typer.Option(help="The text file to write.")],
               second: SecondPass = False, n: SampleSize = 60, seed: SampleSeed = 1,
               directory: GoldDir = None) -> None:
    """Write the traces a pass still has to label to a text file, each as `gold label` shows
    it (question, tool calls, answer; never a label), for labelers who work from a file and
    hand back span_id,label,explanation (`gold label --from`)."""
    from pipeline.gold import labeler
    from pipeline.gold.sheet import write_sheet

    traces, path = labeler.todo(2 if second else 1, n=n, seed=seed, files=_gold(directory))
    write_sheet(traces, out)
    typer.echo(f"{out}: {len(traces)} traces to label for {path.name}")


@gold_app.command("settle")
def gold_settle(rulings: Annotated[Path, typer.Argument(
                    help="A file of span_id,label,explanation: a third reader's ruling on "
                         "traces the two passes disagree on.")],
                directory: GoldDir = None) -> None:
    """Record the rulings on the passes' disagreements and rewrite the final labels."""
    from pipeline.gold.passes import settle

    files = _gold(directory)
    held = settle(files, rulings)
    typer.echo(f"{files.adjudication}: {held} rulings; {files.labels} rewritten")


@gold_app.command("stats")
def gold_stats(markdown: Annotated[bool, typer.Option(
                   help="Print the tables gold/README.md carries.")] = False,
               before: Annotated[Path | None, typer.Option(
                   help="A gold set of the same questions asked of an earlier build of the "
                        "agent: its helpful rate per category beside this one's.")] = None,
               project: Annotated[str | None, typer.Option(
                   help="With --before: count this set's runs recorded from this project "
                        "only (the same questions asked of this build).")] = None,
               directory: GoldDir = None) -> None:
    """Counts of the gold set: labels per category, rule, split and variant, the agent's
    own helpful rate, and the two labeling passes' agreement."""
    from pipeline.gold import stats
    from pipeline.views.gold import render_passes

    found = stats.gold_stats(_gold(directory))
    earlier = stats.gold_stats(_gold(before)) if before else None
    typer.echo(stats.markdown(found, earlier, project), nl=False)
    if not markdown:
        render_passes(found.passes, _console())


# --- exit codes ---------------------------------------------------------------------------------

def main() -> None:
    """Entry point: every known failure becomes one line on stderr and exit code 1."""
    from pipeline.failures import one_line

    try:
        app()
    except KeyboardInterrupt:
        typer.secho("interrupted: re-run the same command to resume", err=True)
        sys.exit(130)
    except Exception as error:
        line = one_line(error)
        if line is None:
            raise
        typer.secho(f"error: {line}", fg="red", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
