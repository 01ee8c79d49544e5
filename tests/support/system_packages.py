"""The Debian packages the test suite needs beyond its Python environments, found the way the
tests look for them, and installed by ``make test`` itself.

``python -m tests.support.system_packages`` (``make test-deps``, which ``make test`` runs
first) installs the missing ones with apt-get when it runs as root, quietly and only when
something is missing; elsewhere it prints one line naming the command to run, and the tests
that need a missing package skip with :func:`skip_reason`. It imports nothing but the
standard library, so it costs a Python start when nothing is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

INSTALL = "make test-deps"


def initdb_paths() -> list[str]:
    """PostgreSQL's ``initdb`` programs of Debian's postgresql packages, oldest first."""
    return sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


@dataclass(frozen=True)
class SystemPackage:
    """A Debian package, which tests need it, and how to tell that it is installed."""

    name: str
    needed_by: str
    present: Callable[[], bool]


CHROMIUM = SystemPackage("chromium", "the Phoenix UI test in tests/pipeline/test_demo.py",
                         lambda: shutil.which("chromium") is not None)
POSTGRESQL = SystemPackage("postgresql", "the PostgreSQL tests",
                           lambda: bool(initdb_paths()))
PACKAGES = (CHROMIUM, POSTGRESQL)


def skip_reason(package: SystemPackage) -> str:
    """Why a test that needs ``package`` is skipped, and what to run."""
    return (f"{package.name} is not installed: run `{INSTALL}` as root (apt-get install "
            f"{package.name})")


def advice(missing: list[SystemPackage], *, root: bool, apt: bool) -> str | None:
    """The one line to print instead of installing, or None when apt-get can install."""
    if not missing:
        return None
    names = " ".join(p.name for p in missing)
    needed = "; ".join(f"{p.name} for {p.needed_by}" for p in missing)
    if not apt:
        how = f"install {names} with this system's package manager"
    elif not root:
        how = f"run `sudo {INSTALL}` (apt-get install {names})"
    else:
        return None
    return f"test packages missing ({needed}): {how}; until then those tests are skipped"


def install(missing: list[SystemPackage]) -> None:
    """``apt-get install`` the missing packages, quietly (the package lists updated first)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    names = [p.name for p in missing]
    print(f"installing {' '.join(names)} with apt-get (for "
          f"{'; '.join(p.needed_by for p in missing)})", flush=True)
    for argv in (["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", *names]):
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SystemExit(f"`{' '.join(argv)}` failed ({tail[0]}): fix it and re-run "
                             f"`{INSTALL}`")


def main() -> int:
    missing = [p for p in PACKAGES if not p.present()]
    line = advice(missing, root=os.geteuid() == 0, apt=shutil.which("apt-get") is not None)
    if line is not None:
        print(line, file=sys.stderr)
    elif missing:
        install(missing)
        if still := [p.name for p in missing if not p.present()]:
            raise SystemExit(f"apt-get ran but {' '.join(still)} is still missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
