"""The ``judge-align`` command line; the Makefile targets wrap these subcommands.

Heavy modules (Phoenix client, OpenTelemetry, pandas, openai) are imported inside the
commands, so ``judge-align --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

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
def up(llm: Annotated[Optional[bool], typer.Option(
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

    typer.echo(stack.start_llm(load()))


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
