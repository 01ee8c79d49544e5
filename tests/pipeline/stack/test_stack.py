"""The foundation: Phoenix's lifecycle on loopback, SQLite and PostgreSQL, clear errors."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from pipeline import stack
from pipeline.errors import UserError
from pipeline.settings import Settings
from tests.conftest import fresh_settings, start_phoenix
from tests.support.stack import base_url, connect, isolated_settings, run_cli, start_cli
from tests.support.traces import emit_traces, make_traces

pytestmark = pytest.mark.server  # starts its own servers

LOOPBACK_PREFIXES = ("127.", "::1", "::ffff:127.", "[::1]", "[::ffff:127.")


def listening_addresses(pids: set[int]) -> list[str]:
    """Local addresses of TCP listeners owned by ``pids`` (from `ss`)."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        if any(f"pid={pid}," in line for pid in pids):
            found.append(line.split()[3].rsplit(":", 1)[0])
    return found


def process_group(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(os.getpgid(pid))],
                         capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def running(pid: int) -> bool:
    """True for a live process; a zombie waiting for init to reap it has already exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_phoenix_is_healthy_and_listens_on_loopback_only(phoenix: Settings) -> None:
    assert httpx.get(f"{base_url(phoenix)}/healthz").status_code == 200
    pid = stack.phoenix_service(phoenix).pid()
    assert pid is not None
    addresses = listening_addresses(process_group(pid))
    assert len(addresses) >= 2, addresses  # HTTP and the gRPC collector
    assert all(address.startswith(LOOPBACK_PREFIXES) for address in addresses), addresses


def test_cli_up_then_down_leaves_no_process(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    started = run_cli(["up", "--no-llm"], settings)
    assert started.returncode == 0, started.stderr
    pid = stack.phoenix_service(settings).pid()
    assert pid is not None
    group = process_group(pid)
    assert httpx.get(f"{base_url(settings)}/healthz").status_code == 200
    again = run_cli(["up", "--no-llm"], settings)
    assert "already running" in again.stdout
    stopped = run_cli(["down"], settings)
    assert stopped.returncode == 0, stopped.stderr
    survivors = [p for p in group if running(p)]
    assert survivors == []
    assert not (tmp_path / "phoenix.pid").exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", settings.phoenix_port)) != 0


def phoenix_processes(port: int) -> set[int]:
    """Every running Phoenix launcher serving ``port``, found in /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and running(int(entry.name)):
            with contextlib.suppress(OSError):
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                launcher = len(argv) > 1 and argv[1].endswith(b"launch_phoenix.py")
                if launcher and str(port).encode() in argv:
                    found.add(int(entry.name))
    return found


def listening_pids(port: int) -> set[int]:
    """PIDs of the processes listening on TCP ``port`` (from `ss`)."""
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True,
                         check=True).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+),", out)}


def test_two_overlapping_ups_start_one_phoenix_and_down_leaves_none(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    ups = [start_cli(["up", "--no-llm"], settings) for _ in range(2)]
    try:
        outputs = [up.communicate(timeout=300) for up in ups]
        assert [up.returncode for up in ups] == [0, 0], outputs
        firsts = sorted(out.splitlines()[0].split(" (")[0] for out, _ in outputs)
        assert firsts == ["phoenix already running", "phoenix started"], outputs
        pid = stack.phoenix_service(settings).pid()
        assert pid is not None
        group = process_group(pid)
        assert phoenix_processes(settings.phoenix_port) == {pid}
        assert listening_pids(settings.phoenix_port) <= group
    finally:
        stopped = run_cli(["down"], settings)
    assert stopped.returncode == 0, stopped.stderr
    assert f"phoenix stopped (pid {pid})" in stopped.stdout
    assert [p for p in group if running(p)] == []
    assert phoenix_processes(settings.phoenix_port) == set()
    assert not (tmp_path / "phoenix.pid").exists()

    # A PID file naming a process judge-align did not start: reported, removed, not signalled.
    with subprocess.Popen(["sleep", "60"], start_new_session=True) as stranger:
        try:
            (tmp_path / "phoenix.pid").write_text(str(stranger.pid))
            again = run_cli(["down"], settings)
            assert again.returncode == 0, again.stderr
            assert "removed the stale PID file" in again.stdout, again.stdout
            assert "nothing was signalled" in again.stdout
            assert running(stranger.pid)
            assert not (tmp_path / "phoenix.pid").exists()
        finally:
            stranger.kill()


SECRETS = {"OPENAI_API_KEY": "sk-test-must-not-leak", "GITHUB_TOKEN": "ghp_test",
           "MY_DB_PASSWORD": "hunter2"}


def environment_names_without(secrets: dict[str, str], pid: int | None) -> set[str]:
    """The names in the live process's environment, after checking that none of ``secrets``
    (names or values) is there."""
    assert pid is not None
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert not names & set(secrets), names
    assert not any(value.encode() in entry for value in secrets.values() for entry in environ)
    return names


def test_phoenix_environment_holds_no_api_key(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    started = run_cli(["up", "--no-llm"], settings, **SECRETS)
    try:
        assert started.returncode == 0, started.stderr
        names = environment_names_without(SECRETS, stack.phoenix_service(settings).pid())
        assert {"PATH", "PHOENIX_PORT", "PHOENIX_WORKING_DIR"} <= names
    finally:
        run_cli(["down"], settings)


def test_model_server_environment_holds_no_api_key(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings = isolated_settings(tmp_path)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    stack.start_llm(settings)
    service = stack.llm_service(settings)
    try:
        assert "PATH" in environment_names_without(SECRETS, service.pid())
    finally:
        service.stop()


def test_up_uses_a_phoenix_already_answering_and_down_leaves_it(tmp_path: Path) -> None:
    theirs = fresh_settings(tmp_path / "theirs")
    mine = dataclasses.replace(theirs, run_dir=tmp_path / "mine")
    url = base_url(theirs)
    with contextmanager(start_phoenix)(theirs):
        their_pid = stack.phoenix_service(theirs).pid()
        used = run_cli(["up", "--no-llm"], mine)
        assert used.returncode == 0, used.stderr
        assert used.stdout.splitlines()[0] == (
            f"Phoenix already answers at {url} (not started by judge-align): using it; "
            "`make down` leaves it running"), used.stdout
        assert "not started by judge-align" in run_cli(["status"], mine).stdout
        stopped = run_cli(["down"], mine)
        assert stopped.returncode == 0, stopped.stderr
        assert f"the Phoenix at {url} is left running" in stopped.stdout
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert stack.phoenix_service(theirs).pid() == their_pid
        assert not (mine.run_dir / "phoenix.pid").exists()

        project = f"reused-{uuid.uuid4().hex[:8]}"
        emit_traces(mine, project, make_traces(2))
        built = run_cli(["dataset", "build"], mine, JUDGE_ALIGN_PROJECT=project,
                        JUDGE_ALIGN_DATASET=f"{project}-set")
        assert built.returncode == 0, built.stderr


def test_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.phoenix_port))
        squatter.listen()
        result = run_cli(["up", "--no-llm"], settings)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {settings.phoenix_port}" in lines[0] and "PHOENIX_PORT" in lines[0]


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    url = f"postgresql://nobody@127.0.0.1:{dead_port}/phoenix"
    result = run_cli(["up", "--no-llm"], settings, PHOENIX_SQL_DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PHOENIX_SQL_DATABASE_URL" in lines[0]
    assert not (tmp_path / "phoenix.pid").exists()


def test_phoenix_not_started_is_one_clear_line(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    with pytest.raises(UserError, match="make up"):
        connect(settings)


def test_cli_help_does_not_import_heavy_modules() -> None:
    probe = ("import sys, pipeline.cli; heavy = [m for m in ('phoenix', 'pandas', 'openai', "
             "'opentelemetry') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    shown = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], capture_output=True,
                           text=True)
    assert shown.returncode == 0 and "dataset" in shown.stdout


@pytest.mark.parametrize("backend", ["phoenix", "phoenix_pg"])
def test_spans_round_trip_into_a_dataset(backend: str, request: pytest.FixtureRequest) -> None:
    """The same integration on SQLite and PostgreSQL: spans in, root spans out, a dataset."""
    from phoenix.client.types.spans import SpanQuery
    from phoenix.otel import register

    settings: Settings = request.getfixturevalue(backend)
    project = f"roundtrip-{backend}"
    provider = register(project_name=project, endpoint=f"{base_url(settings)}/v1/traces",
                        batch=False, verbose=False, set_global_tracer_provider=False)
    tracer = provider.get_tracer("test")
    for question in ("weather in Paris?", "plan my day in Oslo"):
        with tracer.start_as_current_span("agent") as root:
            root.set_attribute("input.value", question)
            root.set_attribute("output.value", f"answer to {question}")
            with tracer.start_as_current_span("child"):
                pass
    provider.force_flush()
    provider.shutdown()
    px = connect(settings)
    frame = None
    for _ in range(40):
        frame = px.client.spans.get_spans_dataframe(
            project_identifier=project, query=SpanQuery().where("parent_id is None"))
        if len(frame) == 2:
            break
        import time

        time.sleep(0.25)
    assert frame is not None and len(frame) == 2
    frame = frame.reset_index(drop=True)
    dataset = px.client.datasets.create_dataset(
        name=f"ds-{backend}", dataframe=frame, input_keys=["attributes.input.value"],
        output_keys=["attributes.output.value"], span_id_key="context.span_id")
    examples = px.client.datasets.get_dataset(dataset=dataset.id).examples
    assert sorted(e["input"]["attributes.input.value"] for e in examples) == [
        "plan my day in Oslo", "weather in Paris?"]
