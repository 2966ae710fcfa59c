"""Linking throughput: articles per second (company linking and press-event detection, ~300 words each) against
the demo territory's companies and against 50,000 companies, on one process and on --workers processes.

    .venv/bin/python -m bench.bench_linking [--workdir /work/demo-x] [--articles 2000] [--workers 2]

Without --workdir (or without a built demo warehouse) the territory is the companies of the labelled sets.
Blocking makes the cost per article depend on the article's length, not on the number of companies. The articles
are the hand-written dev set's texts padded with ordinary words to ~300 words; the 50,000 generated companies are
named from the same words, so many n-grams of an article start some company's name (a worst case for blocking).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import pandas as pd

from transforms.linking import CompanyIndex, link_text
from transforms.press_events import story_events

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "fixtures" / "linking" / "dev_set.jsonl"
COMMUNES = ["Boulogne-Billancourt", "Chaville", "Issy-les-Moulineaux", "Marnes-la-Coquette", "Meudon", "Sèvres",
            "Vanves", "Ville-d'Avray"]
_WORDS = ("numérique", "logiciel", "données", "cloud", "réseau", "conseil", "systèmes", "solutions", "services",
          "digital", "labs", "studio", "ingénierie", "informatique", "technologies", "atelier", "agence")


def demo_companies(workdir: Path | None) -> pd.DataFrame:
    if workdir and (workdir / "warehouse.duckdb").is_file():
        from radar.config import load_territory
        from steps.news import companies_for_linking
        from warehouse.db import connect_writer

        with connect_writer(workdir / "warehouse.duckdb") as con:
            return companies_for_linking(con, load_territory())
    rows = [json.loads(line)["company"] for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    return pd.DataFrame(list({r["siren"]: r for r in rows}.values()))


def generated_companies(n: int, rng: random.Random) -> pd.DataFrame:
    names = [f"{rng.choice(_WORDS).upper()} {rng.choice(_WORDS).upper()} {i:05d}" for i in range(n)]
    return pd.DataFrame({"siren": [f"{i:09d}" for i in range(n)], "name": names, "sigle": None,
                         "aliases": [[] for _ in range(n)], "naf_code": "62.01Z"})


def articles(n: int, rng: random.Random) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    out = []
    for _ in range(n):
        r = rng.choice(rows)
        words = r["text"].split()[:300]
        words += [rng.choice(_WORDS) for _ in range(300 - len(words))]  # 300 words of text
        out.append((r["title"], " ".join(words)))
    return out


def link_all(index: CompanyIndex, docs: list[tuple[str, str]]) -> int:
    linked = 0
    for title, text in docs:
        mentions = [m for m in link_text(index, title, text) if m["confident"]]
        story_events(title, text, {m["siren"]: m["surfaces"] for m in mentions})
        linked += len(mentions)
    return linked


_INDEX: CompanyIndex | None = None


def _work(docs) -> int:
    return link_all(_INDEX, docs)


def measure(index: CompanyIndex, docs: list[tuple[str, str]], workers: int = 1) -> tuple[float, int]:
    """Articles per second. With workers > 1 the index is inherited by forked processes (built once), each
    linking a share of the articles, as a run would split its stories."""
    global _INDEX
    link_all(index, docs[:20])  # warm the caches (lexicon, token folding)
    if workers <= 1:
        start, cpu = time.perf_counter(), time.process_time()
        linked = link_all(index, docs)
        print(f"{'':>22}(one process: {len(docs) / (time.process_time() - cpu):.0f} articles per CPU-second)")
        return len(docs) / (time.perf_counter() - start), linked
    import multiprocessing

    _INDEX = index
    shares = [docs[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_work, [d[:5] for d in shares])  # the workers start and warm up before the clock
        start = time.perf_counter()
        linked = sum(pool.map(_work, shares))
        return len(docs) / (time.perf_counter() - start), linked


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--companies", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(2026)
    docs = articles(args.articles, rng)
    demo = demo_companies(args.workdir)
    big = pd.concat([demo, generated_companies(args.companies, rng)], ignore_index=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run")
    for label, frame in (("labelled-set companies", demo), (f"{args.companies:,} companies", big)):
        started = time.perf_counter()
        index = CompanyIndex(frame, commune_names=COMMUNES)
        build = time.perf_counter() - started
        for workers in sorted({1, args.workers}):
            rate, linked = measure(index, docs, workers)
            print(f"{label:>20}: {len(index):>6} companies, index built in {build:5.2f} s, {workers} process(es): "
                  f"{rate:8.0f} articles/s ({linked} confident mentions in {len(docs)} articles of ~300 words)")


if __name__ == "__main__":
    main()
