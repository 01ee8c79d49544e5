"""What a PID file records about the process it names, checked against ``/proc``.

A PID alone is not enough to signal a process safely: after a reboot or a crash the number
may belong to another program. A record keeps the PID, the process start time (field 22 of
``/proc/PID/stat``, in clock ticks since boot) and the command line; the process is ours
only while ``/proc`` shows the same three. PID files are written atomically (a temporary
file, then ``os.replace``), so a reader never sees half a record.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ENDED_STATES = frozenset({"Z", "X"})  # a zombie, or dead: it has exited


@dataclass(frozen=True)
class ProcessRecord:
    """A process as ``/proc`` showed it when it was started."""

    pid: int
    start_time: int
    cmdline: tuple[str, ...]


def identify(pid: int) -> ProcessRecord | None:
    """The live process ``pid`` as ``/proc`` describes it now, or None when none runs (an
    empty command line means exiting, or not yet set up by exec: not a process to record)."""
    if pid <= 0:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces and ")"
    if fields[0] in ENDED_STATES or not cmdline:
        return None
    return ProcessRecord(pid=pid, start_time=int(fields[19]),
                         cmdline=tuple(os.fsdecode(arg) for arg in cmdline.split(b"\0")[:-1]))


def identify_child(child: subprocess.Popen, timeout: float = 5.0) -> ProcessRecord | None:
    """The record of a child just started, or None when it exited (or ``/proc`` cannot
    show it). ``Popen`` returns as soon as exec has begun; the kernel sets the new command
    line a moment later, so an empty one is waited for rather than recorded."""
    deadline = time.monotonic() + timeout
    while (record := identify(child.pid)) is None:
        if child.poll() is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.01)
    return record


def reap(pid: int) -> None:
    """Collect ``pid`` if it is an exited child of this process (so it is not a zombie)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def runs(record: ProcessRecord) -> bool:
    """True while the process ``record`` describes still runs (same PID, start time and
    command line): a PID now used by another program is not it."""
    reap(record.pid)
    return identify(record.pid) == record


def write(path: Path, record: ProcessRecord) -> None:
    """Save ``record`` at ``path`` atomically."""
    body = json.dumps({"pid": record.pid, "start_time": record.start_time,
                       "cmdline": list(record.cmdline)})
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(body + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path: Path) -> ProcessRecord | None:
    """The record at ``path``; None without a file. A file that is not a record (e.g. a bare
    PID written by an older version) gives a record that matches no process, with the PID
    it names when it names one."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        return ProcessRecord(pid=int(data["pid"]), start_time=int(data["start_time"]),
                             cmdline=tuple(str(arg) for arg in data["cmdline"]))
    except (ValueError, TypeError, KeyError):
        pid = text.strip()
        return ProcessRecord(pid=int(pid) if pid.isdigit() else 0, start_time=-1, cmdline=())


def remove(path: Path, record: ProcessRecord) -> None:
    """Delete the PID file at ``path`` if it still holds ``record`` (never someone else's)."""
    if read(path) == record:
        path.unlink(missing_ok=True)
