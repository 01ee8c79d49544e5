"""Services without Phoenix: the allow-listed environment, PID records checked against /proc,
stale PID files that are never signalled, the start/stop lock, and servers that answer at
the address already (HTTP stubs, marked ``server``)."""

from __future__ import annotations

import dataclasses
import fcntl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import stack
from pipeline.settings import ROOT, Settings
from pipeline.stack import process, service
from pipeline.stack.environment import inherited
from pipeline.stack.process import ProcessRecord
from tests.support.stack import http_stub, isolated_settings, run_cli

SECRETS = {"OPENAI_API_KEY": "sk-test-never-leaves", "ANTHROPIC_API_KEY": "sk-ant",
           "GITHUB_TOKEN": "ghp_x", "AWS_SECRET_ACCESS_KEY": "aws", "PGPASSWORD": "pg",
           "DB_PASSWORD": "db", "PHOENIX_SECRET": "phx", "LC_AUTH_TOKEN": "odd"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return isolated_settings(tmp_path)


@pytest.fixture
def stranger() -> Iterator[subprocess.Popen]:
    """A process judge-align did not start, leading its own process group (so signalling
    the group a PID file names would end it)."""
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        yield child
    finally:
        child.kill()
        child.wait()


def test_services_get_an_allow_listed_environment_without_secrets(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SECRETS, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                        "PYTHONPATH": "/elsewhere", "HTTPS_PROXY": "http://u:p@proxy"}.items():
        monkeypatch.setenv(name, value)
    phoenix = stack.phoenix_service(settings).environment()
    llm = stack.llm_service(settings).environment()
    for environment in (phoenix, llm):
        assert not set(SECRETS) & set(environment), environment
        assert "HTTPS_PROXY" not in environment
        assert environment["PATH"] and environment["LANG"] == environment["LC_ALL"] == "C.UTF-8"
    assert phoenix["PHOENIX_PORT"] == str(settings.phoenix_port)
    assert phoenix["PHOENIX_WORKING_DIR"] == str(settings.run_dir / "phoenix")
    assert "PYTHONPATH" not in phoenix and "PHOENIX_SQL_DATABASE_URL" not in phoenix
    assert llm["PYTHONPATH"] == str(ROOT)


@pytest.mark.parametrize(("name", "passed"), [
    ("PATH", True), ("LC_CTYPE", True), ("OMP_NUM_THREADS", True), ("OPENAI_API_KEY", False),
    ("LC_API_KEY", False), ("PHOENIX_PORT", False), ("VIRTUAL_ENV", False)])
def test_which_names_a_service_inherits(name: str, passed: bool) -> None:
    assert inherited(name) is passed


def test_a_pid_record_names_one_process_and_is_written_atomically(
        tmp_path: Path, stranger: subprocess.Popen) -> None:
    record = process.identify_child(stranger)
    assert record is not None and record.cmdline == ("sleep", "60")
    path = tmp_path / "x.pid"
    process.write(path, record)
    assert process.read(path) == record and process.runs(record)
    assert [p.name for p in tmp_path.iterdir()] == ["x.pid"]  # no temporary file left
    assert not process.runs(dataclasses.replace(record, start_time=record.start_time + 1))
    assert not process.runs(dataclasses.replace(record, cmdline=("sleep", "61")))
    stranger.kill()
    stranger.wait()
    assert not process.runs(record) and process.identify(stranger.pid) is None


def test_a_child_is_recorded_with_its_command_line_right_after_it_starts() -> None:
    # Popen returns once exec has begun; the kernel sets the new command line a moment later.
    for _ in range(40):
        child = subprocess.Popen(["sleep", "60"])
        try:
            record = process.identify_child(child)
            assert record is not None and record.cmdline == ("sleep", "60")
        finally:
            child.kill()
            child.wait()
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert process.identify_child(ended) is None


def test_removing_a_pid_file_leaves_another_process_record(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    theirs = ProcessRecord(pid=1234, start_time=5, cmdline=("phoenix",))
    process.write(path, theirs)
    process.remove(path, dataclasses.replace(theirs, pid=4321))
    assert process.read(path) == theirs
    process.remove(path, theirs)
    assert not path.exists()


@pytest.mark.parametrize("content", ["record", "bare pid", "garbage"])
def test_a_stale_pid_file_naming_a_foreign_process_is_removed_not_signalled(
        settings: Settings, stranger: subprocess.Popen, content: str) -> None:
    phoenix = stack.phoenix_service(settings)
    record = process.identify_child(stranger)
    assert record is not None
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    if content == "record":  # what our Phoenix was, before its PID went to `sleep`
        process.write(phoenix.pid_file, dataclasses.replace(
            record, start_time=record.start_time - 1, cmdline=tuple(phoenix.command())))
    else:
        phoenix.pid_file.write_text(str(stranger.pid) if content == "bare pid" else "{oops")
    assert phoenix.pid() is None
    assert "stale PID file" in phoenix.status()
    line = phoenix.stop(timeout=1)
    assert line.startswith("phoenix is not running (removed the stale PID file"), line
    assert "nothing was signalled" in line
    if content != "garbage":
        assert f"pid {stranger.pid} is now a process judge-align did not start" in line
    assert not phoenix.pid_file.exists()
    time.sleep(0.3)
    assert stranger.poll() is None  # never signalled


def test_a_pid_file_of_a_process_that_ended_is_removed(settings: Settings,
                                                       stranger: subprocess.Popen) -> None:
    phoenix = stack.phoenix_service(settings)
    record = process.identify_child(stranger)
    assert record is not None
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    process.write(phoenix.pid_file, record)
    assert phoenix.pid() == stranger.pid
    stranger.kill()
    stranger.wait()
    assert "no longer runs" in phoenix.stop(timeout=1)
    assert not phoenix.pid_file.exists()


def test_stop_of_our_own_process_ends_its_group(settings: Settings,
                                                stranger: subprocess.Popen) -> None:
    phoenix = stack.phoenix_service(settings)
    record = process.identify_child(stranger)
    assert record is not None
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    process.write(phoenix.pid_file, record)  # as if judge-align had started it
    assert phoenix.stop(timeout=5) == f"phoenix stopped (pid {stranger.pid})"
    assert process.identify(stranger.pid) is None and not phoenix.pid_file.exists()


def hold_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def test_start_and_stop_wait_for_the_lock(settings: Settings) -> None:
    phoenix = stack.phoenix_service(settings)
    lock = hold_lock(phoenix.lock_file)
    lines: list[str] = []
    waiting = threading.Thread(target=lambda: lines.append(phoenix.stop(timeout=1)))
    waiting.start()
    time.sleep(0.6)
    assert lines == []  # still waiting for the lock
    lock.close()
    waiting.join(timeout=10)
    assert lines == ["phoenix is not running"]


def test_a_lock_held_too_long_is_one_clear_error(settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "STOP_TIMEOUT", 0.0)
    monkeypatch.setattr(service, "LOCK_MARGIN", 0.0)
    phoenix = dataclasses.replace(stack.phoenix_service(settings), start_timeout=0.5)
    lock = hold_lock(phoenix.lock_file)
    try:
        with pytest.raises(stack.ServiceError, match=r"another judge-align command .*phoenix"):
            phoenix.start()
    finally:
        lock.close()


def test_an_unusable_run_directory_or_a_missing_program_is_one_clear_error(
        tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    blocked = isolated_settings(tmp_path / "a-file" / "run")
    with pytest.raises(stack.ServiceError, match=r"cannot use the run directory .*"
                                                 r"JUDGE_ALIGN_RUN_DIR"):
        stack.phoenix_service(blocked).stop()
    missing = dataclasses.replace(stack.phoenix_service(isolated_settings(tmp_path / "run")),
                                  argv=[str(tmp_path / "no-such-python")])
    with pytest.raises(stack.ServiceError, match=r"cannot run phoenix .*`make install`"):
        missing.start()
    assert not missing.pid_file.exists()


@pytest.mark.server  # an HTTP stub
def test_a_healthy_program_that_is_not_phoenix_still_takes_the_port(settings: Settings
                                                                   ) -> None:
    with http_stub(settings.phoenix_port, {"/healthz"}):
        result = run_cli(["up", "--no-llm"], settings)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {settings.phoenix_port}" in lines[0], result.stderr


@pytest.mark.server  # an HTTP stub standing in for a model server started elsewhere
def test_a_model_server_already_answering_is_used_and_left_running(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_launch(_: Settings) -> Path:
        raise AssertionError("nothing should be fetched or launched")

    monkeypatch.setattr(stack.model_server, "_model_for_launch", no_launch)
    address = f"http://127.0.0.1:{settings.local_llm_port}"
    with http_stub(settings.local_llm_port, {"/health", "/v1/models"}):
        assert stack.start_llm(settings) == (
            f"model server already answers at {address} (not started by judge-align): "
            "using it; `make down` leaves it running")
        assert stack.llm_service(settings).stop() == (
            f"llm was not started by judge-align: the model server at {address} is left "
            "running")
        assert "not started by judge-align" in stack.llm_service(settings).status()
