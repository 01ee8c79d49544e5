"""Background services (Phoenix, the local model server): start, wait until healthy, stop.

Each service keeps a lock file, a PID file and a log under the run directory:

- start and stop of a service hold its lock (``fcntl.flock``), so two overlapping ``up`` runs
  start one process: the second waits for the first, then finds it running;
- the PID file records the PID, start time and command line of what was started
  (:mod:`pipeline.stack.process`) and is checked against ``/proc`` before any signal: a PID
  file naming a process that is not ours is stale, removed and never signalled;
- a healthy server of the same kind already answering at the address (the user's own
  ``phoenix serve``, another checkout's stack) is used as it is, and never stopped;
- the process starts with an allow-listed environment, never the user's API keys.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pipeline.health import healthy
from pipeline.stack import process
from pipeline.stack.environment import service_environment
from pipeline.stack.process import ProcessRecord

STOP_TIMEOUT = 20.0
KILL_TIMEOUT = 5.0
LOCK_MARGIN = 30.0  # seconds beyond a start and a stop that a lock may be waited for


class ServiceError(RuntimeError):
    """A service could not be started or reached; the message says what to do."""


@dataclass
class Service:
    """A long-running local process with a health URL."""

    name: str
    argv: list[str] | Callable[[], list[str]]  # a callable runs only when a launch is needed
    health_url: str
    host: str
    port: int
    run_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    other_ports: tuple[int, ...] = ()
    start_timeout: float = 120.0
    hint: str = ""
    title: str = ""  # how lines name the server, e.g. "Phoenix"; default: name
    kind_url: str = ""  # answers 200 only on this kind of server (tells it from other programs)
    work_dirs: tuple[Path, ...] = ()  # created with the run directory, before any start

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def lock_file(self) -> Path:
        return self.run_dir / f"{self.name}.lock"

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    @property
    def address(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        """The command line to launch (resolving it may do work, e.g. fetch model weights)."""
        return list(self.argv() if callable(self.argv) else self.argv)

    def environment(self) -> dict[str, str]:
        """The process environment: allow-listed, with this service's settings on top."""
        return service_environment(self.env)

    def pid(self) -> int | None:
        """PID of our running process, or None."""
        record = process.read(self.pid_file)
        return record.pid if record is not None and process.runs(record) else None

    def healthy(self, timeout: float = 2.0) -> bool:
        return healthy(self.health_url, timeout)

    def answers(self) -> bool:
        """True when a healthy server of this kind answers at the address, ours or not."""
        return self.healthy() and (not self.kind_url or healthy(self.kind_url))

    def start(self) -> str:
        """Start the service unless ours already runs or a healthy one of the same kind
        answers at its address; return a one-line status."""
        with self._locked():
            record, note = self._our_process()
            if record is not None:
                self._wait_healthy(record)
                return f"{self.name} already running (pid {record.pid}) at {self.health_url}"
            if self.answers():
                return (f"{self._title} already answers at {self.address} (not started by "
                        f"judge-align): using it; `make down` leaves it running{note}")
            self._check_ports()
            return self._launch() + note

    def stop(self, timeout: float = STOP_TIMEOUT) -> str:
        """Stop our process group (SIGTERM, then SIGKILL after ``timeout`` seconds); leave
        alone whatever we did not start."""
        with self._locked():
            record, note = self._our_process()
            if record is None:
                if self.answers():
                    return (f"{self.name} was not started by judge-align: the {self._title} "
                            f"at {self.address} is left running{note}")
                return f"{self.name} is not running{note}"
            self._terminate(record, timeout)
            return f"{self.name} stopped (pid {record.pid})"

    def status(self) -> str:
        record = process.read(self.pid_file)
        if record is not None and process.runs(record):
            state = "healthy" if self.healthy() else "starting or unhealthy"
            return f"{self.name}: running (pid {record.pid}), {state}, {self.health_url}"
        if self.answers():
            return (f"{self.name}: a {self._title} not started by judge-align answers at "
                    f"{self.address} (used as it is; `make down` leaves it running)")
        stale = f" (stale PID file {self.pid_file}: `make down` removes it)" if record else ""
        return f"{self.name}: stopped{stale}"

    def last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln]
        except FileNotFoundError:
            return "no log"
        return lines[-1][-300:] if lines else "empty log"

    # --- under the lock ---------------------------------------------------------------------

    @property
    def _title(self) -> str:
        return self.title or self.name

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold this service's lock; wait while another command starts or stops it."""
        patience = self.start_timeout + STOP_TIMEOUT + LOCK_MARGIN
        deadline = time.monotonic() + patience
        with self._open_lock() as lock:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ServiceError(
                            f"another judge-align command has been starting or stopping "
                            f"{self.name} for over {patience:.0f} s (it holds "
                            f"{self.lock_file}): wait for it or end it, then retry") from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _open_lock(self) -> IO[str]:
        try:
            for directory in (self.run_dir, *self.work_dirs):
                directory.mkdir(parents=True, exist_ok=True)
            return self.lock_file.open("a")
        except OSError as error:
            raise ServiceError(f"cannot use the run directory {self.run_dir} ({error}): "
                               "make it writable or set JUDGE_ALIGN_RUN_DIR") from None

    def _our_process(self) -> tuple[ProcessRecord | None, str]:
        """Our running process, if the PID file names one; a stale PID file is removed,
        never signalled, and described in the returned note."""
        record = process.read(self.pid_file)
        if record is None or process.runs(record):
            return record, ""
        process.remove(self.pid_file, record)
        if record.pid <= 0:
            why = "it names no process"
        elif process.identify(record.pid) is None:
            why = f"pid {record.pid} no longer runs"
        else:
            why = f"pid {record.pid} is now a process judge-align did not start"
        return None, f" (removed the stale PID file {self.pid_file}: {why}; nothing was signalled)"

    def _check_ports(self) -> None:
        for port in (self.port, *self.other_ports):
            if port_in_use(self.host, port):
                raise ServiceError(
                    f"port {port} on {self.host} is taken by another program: stop it, "
                    f"or choose another port{self.hint}"
                )

    def _launch(self) -> str:
        argv = self.command()
        try:
            with self.log_file.open("ab") as log:
                child = subprocess.Popen(
                    argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=self.environment(), start_new_session=True,
                )
        except OSError as error:
            raise ServiceError(f"cannot run {self.name} ({argv[0]}: {error.strerror}): create "
                               "its environment with `make install` (`make llm` for the "
                               "local model)") from None
        record = process.identify_child(child)
        if record is None:  # exited at once (or /proc is unreadable: never leave it behind)
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
            raise self._exited()
        process.write(self.pid_file, record)
        started = time.monotonic()
        self._wait_healthy(record, child)
        took = time.monotonic() - started
        return f"{self.name} started (pid {child.pid}) at {self.health_url} in {took:.1f} s"

    def _wait_healthy(self, record: ProcessRecord, child: subprocess.Popen | None = None
                      ) -> None:
        """Wait for the health URL; raise when the process exits or time runs out (then it
        is stopped)."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            if child.poll() is not None if child is not None else not process.runs(record):
                process.remove(self.pid_file, record)
                raise self._exited()
            time.sleep(0.5)
        self._terminate(record)
        raise ServiceError(
            f"{self.name} did not become healthy within {self.start_timeout:.0f} s; "
            f"see {self.log_file}"
        )

    def _exited(self) -> ServiceError:
        return ServiceError(f"{self.name} exited during start-up ({self.last_log_line()}); "
                            f"see {self.log_file}")

    def _terminate(self, record: ProcessRecord, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the process group of ``record``, SIGKILL after ``timeout`` seconds, and
        remove its PID file. Only call with a record checked by :func:`process.runs`."""
        for sig, patience in ((signal.SIGTERM, timeout), (signal.SIGKILL, KILL_TIMEOUT)):
            _signal_group(record.pid, sig)
            if _ended(record, patience):
                break
        process.remove(self.pid_file, record)


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _ended(record: ProcessRecord, seconds: float) -> bool:
    """Wait up to ``seconds`` for the process of ``record`` to end; True once it has."""
    deadline = time.monotonic() + seconds
    while process.runs(record):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
