"""Time to render the monthly report of the demo month: HTML (queries + charts + template), PDF, annexes.

    .venv/bin/radar demo --workdir /work/demo   # once
    .venv/bin/python bench/bench_report.py --workdir /work/demo [--repeat 3]

Reads the published snapshot only and writes into a temporary folder (the workdir's reports are untouched).
Goal: the whole report under 10 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radar.config import Workdir
from reports.annexes import write_annexes
from reports.pdf import render_pdf
from reports.render import latest_month, render_html

GOAL_SECONDS = 10.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(snapshot: Path, month: str, out: Path) -> dict[str, float]:
    """Wall and CPU seconds per stage (CPU time is what a busy shared machine does not inflate)."""
    t0, c0 = time.perf_counter(), _cpu()
    html, context = render_html(snapshot, month, out)
    t1, c1 = time.perf_counter(), _cpu()
    pdf = render_pdf(html)
    t2, c2 = time.perf_counter(), _cpu()
    write_annexes(context, out)
    t3, c3 = time.perf_counter(), _cpu()
    return {"html": t1 - t0, "pdf": t2 - t1, "annexes": t3 - t2, "total": t3 - t0,
            "html_cpu": c1 - c0, "pdf_cpu": c2 - c1, "annexes_cpu": c3 - c2, "total_cpu": c3 - c0,
            "pdf_kb": pdf.stat().st_size / 1024, "html_kb": html.stat().st_size / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--month", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    snapshot = Workdir(args.workdir).published
    month = args.month or latest_month(snapshot)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            runs.append(run_once(snapshot, month, Path(tmp) / str(i)))
    print(f"report {month} from {snapshot} ({args.repeat} runs, median):")
    for key in ("html", "pdf", "annexes", "total"):
        values = [r[key] for r in runs]
        cpu = statistics.median(r[key + "_cpu"] for r in runs)
        print(f"  {key:8s} {statistics.median(values):6.2f} s wall (min {min(values):.2f}, max {max(values):.2f}), "
              f"{cpu:.2f} s CPU")
    print(f"  sizes    HTML {runs[0]['html_kb']:.0f} kB, PDF {runs[0]['pdf_kb']:.0f} kB")
    total = statistics.median(r["total"] for r in runs)
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    print(f"goal: whole report under {GOAL_SECONDS:.0f} s -> {'OK' if total < GOAL_SECONDS else 'MISSED'} (wall)")
    return 0 if total < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
