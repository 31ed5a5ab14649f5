"""A steady load of statistics queries to profile (py-spy), on a store bench_stats.py kept.

    PYTHONPATH=benchmarks:. python benchmarks/profile_stats.py SCHEMA [--by mediator]
        [--seconds 30]
    py-spy record -o docs/profiles/stats-query.svg -- python benchmarks/profile_stats.py ...

Asks the same question again and again (a year of the store's last whole year, grouped by
`--by`, as bench_stats.py does) for `--seconds`, then prints how many it answered and their
median. The rebuild is profiled on `tongjie rebuild stats` itself.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from api.app import GC_THRESHOLDS
from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings
from projections.stats.read import Filters

URL = "postgresql://postgres@127.0.0.1:5432/test"
ZONE = ZoneInfo("Asia/Shanghai")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("--by", default="mediator", help="a dimension, or 'summary'")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    settings = Settings(database_url=f"{URL}?schema={args.schema}", pool_size=3)
    app = build_application(settings)
    views = build_views(settings, app)
    year = datetime.now(ZONE).year - 1  # the bureau's year, as bench_stats.py asks it
    start, end = datetime(year, 1, 1, tzinfo=ZONE), datetime(year + 1, 1, 1, tzinfo=ZONE)
    times = []
    try:
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            if args.by == "summary":
                answer = views.stats.summary(start, end, Filters())
            else:
                answer = views.stats.by(args.by, start, end, Filters())  # type: ignore[arg-type]
            times.append((time.perf_counter() - began) * 1000)
    finally:
        views.close()
        app.close()
    print(
        f"{len(times)} answers of {len(answer.rows)} rows, median {statistics.median(times):.2f} ms"
    )


if __name__ == "__main__":
    main()
