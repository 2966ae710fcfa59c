"""Benchmarks, on demand (not in CI): `make bench` or `python -m bench.run [--only stock] [--rows N]`.

Writes bench/results/<date>-<name>.json with the machine, the versions, raw seconds and the ratios to the
baselines measured in the same run, and prints each ratio against its goal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def environment() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    versions = {}
    for pkg in ("duckdb", "pandas", "pyarrow", "polars", "prefect", "httpx"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_total_kb": int(mem) if mem != "?" else None,
            "python": sys.version.split()[0], "platform": platform.platform(), "versions": versions,
            "when": datetime.now(UTC).isoformat(timespec="seconds")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["stock", "history"], default="stock")
    parser.add_argument("--rows", type=int, default=10_000_000, help="establishments in the France-scale stock")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--repeat", type=int, default=5, help="trials per format (--only stock): the median counts")
    parser.add_argument("--periods", type=int, default=10_000_000,
                        help="periods in the generated StockEtablissementHistorique (--only history)")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generated inputs are cached")
    args = parser.parse_args(argv)
    results = {"environment": environment(), "benchmarks": []}
    if args.only == "stock":
        from bench.stock import bench_stock

        for fmt in args.formats.split(","):
            r = bench_stock(args.data, args.rows, fmt, repeat=args.repeat)
            results["benchmarks"].append(r)
            print(f"[stock/{fmt}] {r['rows']:,} establishments, median of {len(r['trials'])} trials: bare "
                  f"{r['bare_extraction']['seconds']:.1f} s, load {r['first_load']['seconds']:.1f} s (fixed "
                  f"{r['fixed_cost_tiny_stock']['seconds']:.1f} s) -> ratio {r['ratio_load_vs_bare']} (goal <= 1.4; "
                  f"trials {[t['ratio_load_vs_bare'] for t in r['trials']]}, "
                  f"in CPU seconds {[t['cpu_ratio_load_vs_bare'] for t in r['trials']]}); "
                  f"peak RSS {r['peak_rss_mb_max']} MB (goal < 2048); "
                  f"re-run {r['ratio_rerun_vs_first']} of first load (goal < 0.10)")
    elif args.only == "history":
        from bench.history import bench_history, summary

        for fmt in args.formats.split(","):
            r = bench_history(args.data, args.periods, fmt, args.rows)
            results["benchmarks"].append(r)
            print(summary(r))
    size = args.periods if args.only == "history" else args.rows
    stem = f"{datetime.now(UTC):%Y-%m-%d}-{args.only}-{size}"
    out, n = HERE / "results" / f"{stem}.json", 2
    while out.exists():  # a day's earlier runs are kept: BENCHMARKS.md cites them
        out, n = out.with_name(f"{stem}-run{n}.json"), n + 1
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
