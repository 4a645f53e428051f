"""Start-up time: ``import hftlab`` and ``hftlab --help`` against ``import pandas``, side by side.

Each command runs in a fresh Python process (this interpreter, this environment),
the commands interleaved, best of ``--runs``; the wall time of the whole process
is what a user waits for. Target: ``import hftlab`` and ``hftlab --help`` each at
most 1.5x ``import pandas``. The first operation's import (``import hftlab.api``,
which brings the heavy dependencies) is shown for information.

    .venv/bin/python benchmarks/bench_import.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

COMMANDS = {
    "python (nothing imported)": ["-c", "pass"],
    "import pandas": ["-c", "import pandas"],
    "import hftlab": ["-c", "import hftlab"],
    "hftlab --help": ["-m", "hftlab", "--help"],
    "import hftlab.api (first operation)": ["-c", "import hftlab.api"],
}
TARGET = 1.5


def wall(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    best = dict.fromkeys(COMMANDS, float("inf"))
    for _ in range(args.runs):
        for name, arguments in COMMANDS.items():
            best[name] = min(best[name], wall(arguments))
    pandas = best["import pandas"]
    print(f"best of {args.runs} fresh processes each (s), ratio to import pandas:")
    for name, seconds in best.items():
        verdict = ""
        if name in ("import hftlab", "hftlab --help"):
            verdict = f"  target <= {TARGET}x: {'met' if seconds <= TARGET * pandas else 'MISSED'}"
        print(f"  {name:<36} {seconds:6.3f}  {seconds / pandas:5.2f}x{verdict}")


if __name__ == "__main__":
    main()
