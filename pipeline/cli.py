"""The ``judge-align`` command line; the Makefile targets wrap these subcommands.

Heavy modules (Phoenix client, OpenTelemetry, pandas, openai) are imported inside the
commands, so ``judge-align --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.settings import load

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Align an LLM-as-a-judge with human labels on Arize Phoenix.")
dataset_app = typer.Typer(no_args_is_help=True, help="Build or import the labeled dataset.")
app.add_typer(dataset_app, name="dataset")


def _echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


# --- the local stack -------------------------------------------------------------------------

@app.command()
def up(llm: Annotated[bool | None, typer.Option(
        "--llm/--no-llm", help="Start the local model (default: when no endpoint is set).")] = None
       ) -> None:
    """Start Phoenix on loopback (and the local model when no LLM endpoint is configured)."""
    from pipeline import stack

    _echo_lines(stack.up(load(), with_llm=llm))
    typer.echo(f"Phoenix UI: {load().phoenix_url}")


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


# --- the agent (issue 4: agent_demo/) -----------------------------------------------------------

@app.command()
def agent(n: Annotated[int, typer.Option("--n", help="How many questions to ask.")] = 10,
          questions: Annotated[Path | None, typer.Option(
              help="A JSON list, JSONL, a JSON object of category -> questions, or one "
                   "question per line (default: the built-in bank).")] = None,
          seed: Annotated[int, typer.Option(help="Seed of the question sample.")] = 0,
          variant: Annotated[str | None, typer.Option(
              help="A deliberately altered system prompt (agent_demo/variants.py), to record "
                   "a provoked failure for the gold set; marked in the trace metadata.")
          ] = None) -> None:
    """Run the demo agent on N questions; each answer is one trace in Phoenix."""
    from rich.console import Console

    from agent_demo.run import print_summary, run_agent

    settings, console = load(), Console()
    print_summary(run_agent(settings, n=n, questions_path=questions, seed=seed,
                            console=console, variant=variant), settings, console)


# --- dataset and labels (issue 5: pipeline/dataset.py, annotations.py, labels.py) --------------

@dataset_app.command("build")
def dataset_build(name: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
                  since: Annotated[str | None, typer.Option(
                      help="Only spans after this time (ISO 8601, or e.g. 2h, 3d).")] = None,
                  limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
                  sample: Annotated[int | None, typer.Option(
                      help="A seeded random sample of this many spans.")] = None,
                  seed: int = 0,
                  query: Annotated[str | None, typer.Option(
                      help="A Phoenix span filter, e.g. \"metadata['category'] == 'units'\".")
                  ] = None) -> None:
    """Turn the project's root agent spans into a Phoenix dataset (only new spans are added)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from pipeline import connection, spans
    from pipeline import dataset as datasets

    settings = load()
    span_filter = spans.SpanFilter(since=spans.parse_since(since) if since else None,
                                   limit=limit, sample=sample, seed=seed, query=query)
    client = connection.client(settings, timeout=300)
    console = Console()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"reading root spans of {settings.project}")
        report = datasets.build(
            client, settings, name or settings.dataset, settings.project, span_filter,
            on_page=lambda n: progress.update(task, description=f"read {n} root spans"))
    datasets.print_build(report, console)


@dataset_app.command("import")
def dataset_import(file: Path,
                   name: Annotated[str | None, typer.Option(help="Dataset name.")] = None
                   ) -> None:
    """Import an already labeled set (JSONL or CSV with input, output, label)."""
    from pipeline import connection, importer

    settings = load()
    report = importer.import_file(connection.client(settings, timeout=300), settings,
                                  name or settings.dataset, file)
    typer.echo(f"{file}: {report.rows} examples: {report.created} added, {report.updated} "
               f"updated, {report.unchanged} already there"
               + ("" if report.new_version else " (no new dataset version)"))
    typer.echo(f"dataset {report.name}: {report.total} examples  {report.url}")


@app.command()
def annotate(labels: Annotated[Path | None, typer.Option(
        help="CSV or JSONL keyed by span_id with a label column; omit for the terminal labeler.")
             ] = None,
             queue: Annotated[Path | None, typer.Option(
                 help="Span ids to label first, one per line (e.g. from suggest-labels).")
             ] = None,
             annotator: Annotated[str | None, typer.Option(
                 help="Your name, kept with each label you give in the terminal.")] = None
             ) -> None:
    """Label root spans as helpful / not_helpful (HUMAN annotations in Phoenix)."""
    from rich.console import Console

    from pipeline import connection, labeler

    settings = load()
    client = connection.client(settings)
    if labels is not None:
        from pipeline import label_file

        report = label_file.apply_file(client, settings, settings.project, labels)
        typer.echo(report.config)
        typer.echo(f"{labels}: {report.rows} labels: {report.written} new, {report.changed} "
                   f"changed, {report.unchanged} already in Phoenix")
        typer.echo(f"next: `make labels` copies them into the dataset "
                   f"({connection.project_url(settings, client, settings.project)})")
        return
    labeler.run(client, settings, settings.project, labeler.read_key, Console(),
                queue=labeler.read_queue(queue) if queue else None, annotator=annotator)


@app.command()
def labels(name: Annotated[str | None, typer.Option(help="Dataset name.")] = None) -> None:
    """Copy the human labels into the dataset's examples and report the class balance."""
    from rich.console import Console

    from pipeline import connection
    from pipeline import labels as human_labels

    settings = load()
    report = human_labels.sync(connection.client(settings, timeout=300), settings,
                               name or settings.dataset, settings.project)
    human_labels.print_report(report, Console())


# --- judge experiments (issue 6: evaluators/, pipeline/experiment.py) ---------------------------

@app.command()
def prompts() -> None:
    """Push evaluators/prompts/*.txt to Phoenix's prompt store, tagged by version."""
    from rich.console import Console
    from rich.table import Table

    from evaluators.prompt_files import load_all
    from evaluators.prompt_store import PROMPT_NAME, push_prompts
    from pipeline import connection

    settings = load()
    files = load_all()
    stored = push_prompts(connection.client(settings), files,
                          model_name=settings.judge_model_name)
    table = Table(title=f"Phoenix prompt {PROMPT_NAME!r}", title_justify="left")
    for column in ("tag", "version id", "status", "description"):
        table.add_column(column)
    for file, item in zip(files, stored, strict=True):
        table.add_row(item.version, item.version_id,
                      "new version" if item.created else "unchanged", file.description)
    Console().print(table)
    typer.echo(f"Phoenix prompts: {settings.phoenix_url}/prompts")


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
                                   "be resumed or reused.")] = False) -> None:
    """Run a judge prompt over the labeled dataset as a Phoenix experiment and report.

    Re-running after an interruption resumes the experiment (only missing or failed
    examples are judged); when it is complete, it is shown again rather than re-run."""
    from rich.console import Console

    from pipeline import report
    from pipeline.experiment import run_judge_experiment, status_lines

    result = run_judge_experiment(load(), prompt=prompt, dataset=dataset, model=model,
                                  concurrency=concurrency, split=split, resume=not fresh)
    console = Console()
    report.render(result, console)
    for line in status_lines(result):
        console.print(line)
    report.check_gate(result, gate)


@app.command()
def compare(dataset: Annotated[str | None, typer.Option(help="Dataset name.")] = None) -> None:
    """One table of every judge experiment on the dataset, with the Phoenix compare link."""
    from rich.console import Console

    from pipeline import compare as comparison
    from pipeline import connection

    settings = load()
    name = dataset or settings.dataset
    dataset_id, summaries = comparison.compare(settings, connection.client(settings), name)
    comparison.render(settings, dataset_id, name, summaries, Console())


# --- the whole loop (issue 7) and the judge at work (issue 9) -----------------------------------

@app.command()
def demo(live: Annotated[int, typer.Option(
             help="How many live agent questions to ask at the end (0: none).")] = 3,
         concurrency: Annotated[int, typer.Option(help="Judge calls in flight.")] = 2) -> None:
    """The whole loop on the embedded defaults: gold traces, dataset, v1-v3, comparison."""
    from pipeline.demo import run_demo

    run_demo(load(), live_questions=live, concurrency=concurrency)


@app.command("judge-traces")
def judge_traces(prompt: Annotated[str, typer.Option(help="Prompt version, e.g. v3.")] = "v3",
                 project: Annotated[str | None, typer.Option(help="Phoenix project.")] = None,
                 since: Annotated[str | None, typer.Option(
                     help="Only spans after this time (ISO 8601, or e.g. 2h, 3d).")] = None,
                 limit: Annotated[int | None, typer.Option(
                     help="Only the newest N root spans.")] = None,
                 model: Annotated[str | None, typer.Option(help="Judge model.")] = None,
                 dataset: Annotated[str | None, typer.Option(
                     help="Dataset whose latest experiment of this judge gives its error "
                          "rates.")] = None,
                 concurrency: int = 4) -> None:
    """Label root spans not yet judged by this prompt version (LLM annotations in Phoenix),
    then report the raw and the corrected pass rate."""
    from rich.console import Console

    from pipeline import judge_traces as judging
    from pipeline import spans

    span_filter = spans.SpanFilter(since=spans.parse_since(since) if since else None,
                                   limit=limit)
    report = judging.judge_traces(load(), prompt=prompt, project=project,
                                  span_filter=span_filter, model=model, dataset=dataset,
                                  concurrency=concurrency)
    judging.render(report, Console())


@app.command("suggest-labels")
def suggest_labels(n: Annotated[int, typer.Option("--n", help="How many spans to pick.")] = 20,
                   seed: Annotated[int, typer.Option(help="Seed of the random picks.")] = 0,
                   out: Annotated[Path | None, typer.Option(
                       help="Queue file to write (default .run/label-queue.txt).")] = None,
                   project: Annotated[str | None, typer.Option(help="Phoenix project.")] = None,
                   since: Annotated[str | None, typer.Option(
                       help="Only spans after this time (ISO 8601, or e.g. 2h, 3d).")] = None,
                   limit: Annotated[int | None, typer.Option(
                       help="Only the newest N root spans.")] = None) -> None:
    """Pick the unlabeled spans most worth a human label and queue them for `annotate`."""
    from rich.console import Console

    from pipeline import connection, spans, suggest

    settings = load()
    name = project or settings.project
    client = connection.client(settings, timeout=300)
    span_filter = spans.SpanFilter(since=spans.parse_since(since) if since else None,
                                   limit=limit)
    result = suggest.suggest(client, name, n=n, seed=seed, span_filter=span_filter)
    if result.picks:
        result.queue = suggest.write_queue(result.picks, out or settings.run_dir /
                                           "label-queue.txt", project=name, seed=seed)
    suggest.render(result, Console(), connection.project_url(settings, client, name))


def main() -> None:
    """Entry point: known failures become one line on stderr and exit code 1."""
    from local_llm.weights import WeightsError
    from pipeline.errors import UserError
    from pipeline.services import ServiceError

    try:
        app()
    except (UserError, ServiceError, WeightsError) as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.secho("interrupted: re-run the same command to resume", err=True)
        sys.exit(130)
    except Exception as error:  # connection failures from httpx/openai without a traceback
        if _is_connection_error(error):
            typer.secho(f"error: {error.__class__.__name__}: {error}. Is Phoenix running? "
                        f"Start it with `make up` ({load().phoenix_url}).", fg="red", err=True)
            sys.exit(1)
        raise


def _is_connection_error(error: BaseException) -> bool:
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"ConnectError", "ConnectTimeout", "APIConnectionError",
                         "ConnectionRefusedError"})


if __name__ == "__main__":
    main()
