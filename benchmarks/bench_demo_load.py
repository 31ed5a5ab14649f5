"""The demo load: `tongjie demo` with the defaults into a fresh SQLite file, whole command.

Each run is a new process (start-up and imports included), timed by the wall clock like
`time tongjie demo`; the baseline is the same machine starting `tongjie --help` (the imports
alone), and a fixed pure-Python loop shows how busy the machine is (about 0.5 s when idle).

    python benchmarks/bench_demo_load.py [--runs 3] [--cases 7514]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BAR_SECONDS = 5.0


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one command in a new process."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def busy_loop() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=7514)
    options = parser.parse_args()
    command = [sys.executable, "-m", "api.cli.main"]
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TONGJIE_DATABASE_URL": f"sqlite:///{Path(folder) / 'x.db'}"}
        start_up, _ = timed([*command, "--help"], env)
        loop = busy_loop()
        for run in range(options.runs):
            env["TONGJIE_DATABASE_URL"] = f"sqlite:///{Path(folder) / f'demo-{run}.db'}"
            wall, cpu = timed([*command, "demo", "--cases", str(options.cases)], env)
            walls.append(wall)
            cpus.append(cpu)
    best, median = min(walls), statistics.median(walls)
    print(f"machine busy-loop (10M additions)   {loop:.2f} s  (idle: ~0.5 s)")
    print(f"tongjie --help (start-up, imports)  {start_up:.2f} s")
    print(
        f"tongjie demo --cases {options.cases}   best {best:.2f} s, median {median:.2f} s, "
        f"CPU {min(cpus):.2f} s over {options.runs} runs; bar {BAR_SECONDS:.0f} s, "
        f"ratio {best / BAR_SECONDS:.2f}"
    )


if __name__ == "__main__":
    main()
