"""A steady load of full replays to profile (py-spy): what `GET /replay?version=1000` does in
the server, without the HTTP around it.

    PYTHONPATH=. python benchmarks/profile_replay.py [--seconds 20] [--events 1000]
    py-spy record -o docs/profiles/replay.svg -- python benchmarks/profile_replay.py ...

Saves a case of `--events` events (bench_audit's `case_of`: 998 sessions) in a SQLite file,
then for `--seconds` replays it from its first event (`CaseReads.at_version`) and writes the
answer's JSON (`case_json`, orjson), as the route does; prints how many and their median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import build_application
from api.encoding import case_json, dumps
from benchmarks.bench_audit import case_of
from infrastructure.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_application(Settings(database_url=f"sqlite:///{folder}/replay.db"))
        try:
            case = case_of(args.events, 1)
            app.store.save(case)
            took: list[float] = []
            end = time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                start = time.perf_counter()
                dumps(case_json(app.reads.at_version(case.id, args.events), ZONE))
                took.append((time.perf_counter() - start) * 1000)
        finally:
            app.close()
    print(f"{len(took)} replays and answers, median {statistics.median(took):.2f} ms")


if __name__ == "__main__":
    main()
