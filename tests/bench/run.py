"""The benchmark suite: every row against the limit and the eventsourcing library.

    uv run --group bench python tests/bench/run.py [--quick] [--only N,N] [--json FILE]

Runs on an embedded PostgreSQL, or the server in BRIDGEWORK_BENCH_DATABASE_URL (each row
gets its own scratch database there). `--quick` is under two minutes; the full run takes
longer (row 9 stores a million events). Prints a Markdown table and writes a JSON file.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import harness  # noqa: E402
from bridgework.infra.runtime import tune_garbage_collector  # noqa: E402
import read_rows  # noqa: E402
import service_rows  # noqa: E402
import store_rows  # noqa: E402
import command_rows  # noqa: E402
import crypto_rows  # noqa: E402
import asof_rows  # noqa: E402
import relay_rows  # noqa: E402
import seal_rows  # noqa: E402
import webhook_rows  # noqa: E402

SUITES = {
    "store": store_rows.run,  # rows 1, 2, 9
    "command": command_rows.run,  # rows 3, 3b, 11, 12
    "read": read_rows.run,  # rows 4, 5, 6
    "service": service_rows.run,  # rows 7, 8, 10
    "crypto": crypto_rows.run,  # row 13
    "asof": asof_rows.run,  # rows 14, 15
    "relay": relay_rows.run,  # row 16
    "seal": seal_rows.run,  # row 17
    "webhooks": webhook_rows.run,  # row 18
}
EXTRA = {"http": service_rows.run_http}  # rows 8 and 10 alone, not part of a full run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a run of under two minutes")
    parser.add_argument("--only", default="", help="comma-separated suites: " + ",".join([*SUITES, *EXTRA]))
    parser.add_argument("--json", default="bench-results.json", help="where to write the JSON")
    args = parser.parse_args()
    chosen = [s for s in (args.only.split(",") if args.only else SUITES) if s]
    tune_garbage_collector()  # as every Bridgework process does once started
    rows: list[harness.Row] = []
    started = time.perf_counter()
    with harness.server() as admin_url:
        for name in chosen:
            print(f"… {name}", file=sys.stderr, flush=True)
            rows += asyncio.run((SUITES | EXTRA)[name](admin_url, quick=args.quick))
    elapsed = time.perf_counter() - started
    print(harness.table(rows))
    meta = {
        "when": datetime.now(UTC).isoformat(),
        "quick": args.quick,
        "seconds": round(elapsed, 1),
        "python": platform.python_version(),
        "machine": platform.platform(),
    }
    harness.write_json(rows, Path(args.json), meta)
    print(f"\n{len(rows)} rows in {elapsed:.0f} s; JSON in {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
