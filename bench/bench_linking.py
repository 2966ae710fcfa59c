"""Linking throughput: articles per second against the demo territory's companies and against 50,000 companies.

    .venv/bin/python bench/bench_linking.py [--workdir /work/demo-x] [--articles 2000]

Without --workdir (or without a built demo warehouse) the territory is the 15 companies of the labelled set.
Blocking makes the cost per article depend on the article's length, not on the number of companies.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import pandas as pd

from transforms.linking import CompanyIndex, link_text
from transforms.press_events import company_events

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "fixtures" / "linking" / "eval_set.jsonl"
COMMUNES = ["Boulogne-Billancourt", "Chaville", "Issy-les-Moulineaux", "Marnes-la-Coquette", "Meudon", "Sèvres",
            "Vanves", "Ville-d'Avray"]
_WORDS = ("numérique", "logiciel", "données", "cloud", "réseau", "conseil", "systèmes", "solutions", "services",
          "digital", "labs", "studio", "ingénierie", "informatique", "technologies", "atelier", "agence")


def demo_companies(workdir: Path | None) -> pd.DataFrame:
    if workdir and (workdir / "warehouse.duckdb").is_file():
        from steps.news import companies_for_linking
        from warehouse.db import connect_writer

        with connect_writer(workdir / "warehouse.duckdb") as con:
            return companies_for_linking(con)
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
        filler = " ".join(rng.choice(_WORDS) for _ in range(250))  # ~ a 300-word article
        out.append((r["title"], f"{r['text']} {filler}"))
    return out


def measure(index: CompanyIndex, docs: list[tuple[str, str]]) -> tuple[float, int]:
    start, linked = time.perf_counter(), 0
    for title, text in docs:
        mentions = [m for m in link_text(index, title, text) if m["confident"]]
        for m in mentions:
            company_events(title, text, [m["surface"]])
        linked += len(mentions)
    return len(docs) / (time.perf_counter() - start), linked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--companies", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    docs = articles(args.articles, rng)
    demo = demo_companies(args.workdir)
    big = pd.concat([demo, generated_companies(args.companies, rng)], ignore_index=True)
    for label, frame in (("demo territory", demo), (f"{args.companies:,} companies", big)):
        started = time.perf_counter()
        index = CompanyIndex(frame, commune_names=COMMUNES)
        build = time.perf_counter() - started
        rate, linked = measure(index, docs)
        print(f"{label:>20}: {len(index):>6} companies, index built in {build:5.2f} s, "
              f"{rate:8.0f} articles/s ({linked} confident mentions in {len(docs)} articles of ~300 words)")


if __name__ == "__main__":
    main()
