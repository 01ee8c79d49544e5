"""How long `judge-align --help` takes, and proof that it loads no Phoenix server code.

Target: under 1 s. Compared in the same run with a bare `python -c pass` and with importing
the Phoenix client, to show what the lazy imports save.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from bench.machine import describe

RUNS = 5


def timed(argv: list[str]) -> float:
    """Median wall time of ``argv`` over RUNS runs, in seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"# CLI start-up ({describe()})")
    python = timed([sys.executable, "-c", "pass"])
    cli = timed([sys.executable, "-m", "pipeline.cli", "--help"])
    client = timed([sys.executable, "-c", "import phoenix.client"])
    probe = ("import sys, pipeline.cli; "
             "print(any(m.startswith('phoenix.server') for m in sys.modules))")
    loads_server = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                  text=True, check=True).stdout.strip()
    print(f"bare python               {python:6.3f} s")
    print(f"judge-align --help        {cli:6.3f} s   target < 1 s: "
          f"{'met' if cli < 1 else 'MISSED'}")
    print(f"import phoenix.client     {client:6.3f} s   (what --help would cost eagerly)")
    print(f"--help loads phoenix.server: {loads_server}")


if __name__ == "__main__":
    main()
