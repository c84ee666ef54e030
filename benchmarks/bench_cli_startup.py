"""How long ``remap-backend --version`` and ``--help`` take to start, next to ``python3 -c pass``.

Runs each command ``--repeats`` times, interleaved so machine load hits all
alike, with this checkout's CLI first on PYTHONPATH, and prints the medians in
milliseconds and the time over the bare interpreter's start (target: under
60 ms median for --help and --version). ``--console-script`` also times an
installed ``remap-backend`` entry point, which adds the console script's imports.

    python benchmarks/bench_cli_startup.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def commands(console_script: bool) -> dict[str, list[str]]:
    found = {
        "python3 -c pass": [sys.executable, "-c", "pass"],
        "remap-backend --version": [sys.executable, "-m", "remap_backend_cli", "--version"],
        "remap-backend --help": [sys.executable, "-m", "remap_backend_cli", "--help"],
        "remap-backend build --help": [sys.executable, "-m", "remap_backend_cli", "build", "--help"],
    }
    if console_script and shutil.which("remap-backend"):
        found["installed remap-backend --version"] = [shutil.which("remap-backend"), "--version"]
    return found


def time_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--console-script", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO / "backends"), env.get("PYTHONPATH", "")])
    table = commands(args.console_script)
    times: dict[str, list[float]] = {name: [] for name in table}
    for name, command in table.items():  # warm the page cache and __pycache__ once
        time_once(command, env)
    for _ in range(args.repeats):
        for name, command in table.items():
            times[name].append(time_once(command, env))
    base = statistics.median(times["python3 -c pass"])
    print(f"{'command':36} {'median ms':>10} {'over python3 -c pass':>22}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:36} {median * 1000:10.1f} {(median - base) * 1000:+19.1f} ms")


if __name__ == "__main__":
    main()
