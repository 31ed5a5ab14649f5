"""The demo load: `tongjie demo` with the defaults into a fresh SQLite file, whole command.

Each run is a new process (start-up and imports included), timed by the wall clock like
`time tongjie demo`; the baseline is the same machine starting `tongjie --help` (the imports
alone). On a shared machine the wall clock says little, so the CPU time is also given in units
of a fixed pure-Python loop timed between the runs: that figure travels between machines and
loads (an idle 2-core machine of this kind runs the loop in about 0.6-0.8 s).

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
    """CPU seconds of a fixed pure-Python loop: the machine's speed right now."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=7514)
    options = parser.parse_args()
    command = [sys.executable, "-m", "api.cli.main"]
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TONGJIE_DATABASE_URL": f"sqlite:///{Path(folder) / 'x.db'}"}
        start_up, start_up_cpu = timed([*command, "--help"], env)
        loops = [busy_loop()]
        for run in range(options.runs):
            env["TONGJIE_DATABASE_URL"] = f"sqlite:///{Path(folder) / f'demo-{run}.db'}"
            wall, cpu = timed([*command, "demo", "--cases", str(options.cases)], env)
            walls.append(wall)
            cpus.append(cpu)
            loops.append(busy_loop())
    best, median, loop = min(walls), statistics.median(walls), statistics.median(loops)
    print(f"busy-loop, 10M additions (CPU)      {loop:.2f} s   machine speed now")
    print(f"tongjie --help (start-up)           {start_up:.2f} s wall, {start_up_cpu:.2f} s CPU")
    print(
        f"tongjie demo --cases {options.cases}   best {best:.2f} s wall, median {median:.2f} s, "
        f"CPU {min(cpus):.2f} s = {min(cpus) / loop:.1f} busy-loops; "
        f"bar {BAR_SECONDS:.0f} s, ratio {best / BAR_SECONDS:.2f}"
    )


if __name__ == "__main__":
    main()
