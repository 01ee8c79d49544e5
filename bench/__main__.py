"""Run every benchmark in bench/ in turn (``make bench``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    only = set(sys.argv[1:])
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]),
                         key=lambda m: m.name):
        if not module.name.startswith("bench_") or (only and module.name not in only):
            continue
        importlib.import_module(f"bench.{module.name}").main()
        print()


if __name__ == "__main__":
    main()
