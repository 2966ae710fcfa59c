"""The linker's whole output, written down to compare two versions of the code: a speed-up must change nothing.

    .venv/bin/python -m bench.linking_identity --out /tmp/new.jsonl [--articles 2000]
    cmp /tmp/old.jsonl /tmp/new.jsonl   # (the old file written the same way from the code before the change)

One line per (set, article, mention) with every field link_text returns (siren, alias, surface, surfaces, method,
confidence, evidence, confident) and the article's press events: the labelled sets (bundled, dev, test), each
against its own companies as `radar eval linking` links them and against the bench's 50,000 generated companies
too; then the bench's articles against its 42 and 50,042 companies (bench/bench_linking.py, same seed).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pandas as pd

from bench.bench_linking import COMMUNES, articles, demo_companies, generated_companies
from transforms.linking import CompanyIndex, link_text
from transforms.linking_eval import read_eval_set, universe
from transforms.press_events import story_events

SETS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "linking"


def _dump(out, label: str, index: CompanyIndex, docs) -> int:
    lines = 0
    for n, (title, text) in enumerate(docs):
        mentions = link_text(index, title, text)
        confident = {m["siren"]: m["surfaces"] for m in mentions if m["confident"]}
        events = story_events(title, text, confident)
        for m in mentions:
            out.write(json.dumps({"set": label, "article": n, **m}, ensure_ascii=False, sort_keys=True) + "\n")
            lines += 1
        out.write(json.dumps({"set": label, "article": n, "events": events}, ensure_ascii=False, sort_keys=True,
                             default=str) + "\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--companies", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(2026)  # the bench's draws, in the bench's order
    docs = articles(args.articles, rng)
    demo = demo_companies(None)
    generated = generated_companies(args.companies, rng)
    big = CompanyIndex(pd.concat([demo, generated], ignore_index=True), commune_names=COMMUNES)
    with args.out.open("w", encoding="utf-8") as out:
        for name in ("eval_set", "dev_set", "test_set"):
            rows = read_eval_set(SETS / f"{name}.jsonl")
            texts = list(dict.fromkeys((r["title"], r.get("text")) for r in rows))
            own = pd.concat([universe(rows), generated], ignore_index=True)
            print(name, _dump(out, name, CompanyIndex(universe(rows), commune_names=COMMUNES), texts),
                  _dump(out, f"{name}+50k", CompanyIndex(own, commune_names=COMMUNES), texts), "mentions")
        print("bench", _dump(out, "bench", CompanyIndex(demo, commune_names=COMMUNES), docs),
              _dump(out, "bench+50k", big, docs), "mentions")


if __name__ == "__main__":
    main()
