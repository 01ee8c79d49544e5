"""Background services (Phoenix, the local model server): start, wait until healthy, stop.

Each service keeps a PID file and a log under the run directory, so ``make up`` twice starts
one process and ``make down`` stops exactly what was started, by its process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.health import healthy


class ServiceError(RuntimeError):
    """A service could not be started or reached; the message says what to do."""


@dataclass
class Service:
    """A long-running local process with a health URL."""

    name: str
    argv: list[str]
    health_url: str
    host: str
    port: int
    run_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    other_ports: tuple[int, ...] = ()
    start_timeout: float = 120.0
    hint: str = ""

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """PID of our running process, or None (a stale PID file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if _alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def healthy(self, timeout: float = 2.0) -> bool:
        return healthy(self.health_url, timeout)

    def start(self) -> str:
        """Start the service unless ours already runs; return a one-line status."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.pid() is not None:
            self.wait_healthy()
            return f"{self.name} already running (pid {self.pid()}) at {self.health_url}"
        for port in (self.port, *self.other_ports):
            if port_in_use(self.host, port):
                raise ServiceError(
                    f"port {port} on {self.host} is taken by another program: stop it, "
                    f"or choose another port{self.hint}"
                )
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env}, start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        started = time.monotonic()
        self.wait_healthy(process)
        took = time.monotonic() - started
        return f"{self.name} started (pid {process.pid}) at {self.health_url} in {took:.1f} s"

    def wait_healthy(self, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            if process is not None and process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise ServiceError(
                    f"{self.name} exited during start-up ({self.last_log_line()}); "
                    f"see {self.log_file}"
                )
            time.sleep(0.5)
        self.stop()
        raise ServiceError(
            f"{self.name} did not become healthy within {self.start_timeout:.0f} s; "
            f"see {self.log_file}"
        )

    def stop(self, timeout: float = 20.0) -> str:
        """Stop our process group: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        pid = self.pid()
        if pid is None:
            return f"{self.name} is not running"
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return f"{self.name} stopped (pid {pid})"

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return f"{self.name}: stopped"
        state = "healthy" if self.healthy() else "starting or unhealthy"
        return f"{self.name}: running (pid {pid}), {state}, {self.health_url}"

    def last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln]
        except FileNotFoundError:
            return "no log"
        return lines[-1][-300:] if lines else "empty log"


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
