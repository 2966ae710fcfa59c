"""Scoring the company linker on a labelled set of article-company pairs (format: docs/linking-eval.md): precision
and recall of confident mentions with their 95% confidence intervals (Wilson), and of typed press events."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from transforms.linking import CompanyIndex, link_text
from transforms.press_events import story_events

DEFAULT_COMMUNES = ("Boulogne-Billancourt", "Chaville", "Issy-les-Moulineaux", "Marnes-la-Coquette", "Meudon",
                    "Sèvres", "Vanves", "Ville-d'Avray")


def read_eval_set(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for key in ("title", "company", "label"):
            if key not in row:
                raise ValueError(f"{path}:{n}: missing field '{key}'")
        rows.append(row)
    return rows


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion: honest at 0 and 1 and on small counts, unlike the normal one."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def universe(rows: list[dict]) -> pd.DataFrame:
    """The companies of a set (one row per SIREN), as the linker's index takes them: the name, the sigle and the
    aliases given, the activity code and the commune."""
    companies = {r["company"]["siren"]: r["company"] for r in rows}
    return pd.DataFrame([{"siren": c["siren"], "name": c["name"], "sigle": c.get("sigle"),
                          "aliases": list(c.get("aliases") or []), "naf_code": c.get("naf_code"),
                          "commune": c.get("commune"), "legal_form": c.get("legal_form")}
                         for c in companies.values()])


def evaluate_linking(rows: list[dict], communes=DEFAULT_COMMUNES) -> dict:
    """Scores of the linker (confident mentions only) and of press events, over article-company pairs.

    The company universe is every company of the set, so a pair is a true positive when the linker links the
    article to that company. An event is correct when the pair is a positive labelled with that event kind."""
    index = CompanyIndex(universe(rows), commune_names=list(communes))
    tp = fp = fn = tn = ev_ok = ev_bad = ev_missed = 0
    errors = []
    cache: dict[tuple, dict] = {}
    for r in rows:
        siren = r["company"]["siren"]
        key = (r["title"], r.get("text"))
        if key not in cache:  # one article, several pairs: linked once
            found = {m["siren"]: m for m in link_text(index, r["title"], r.get("text")) if m["confident"]}
            events = story_events(r["title"], r.get("text"), {s: m["surfaces"] for s, m in found.items()})
            cache[key] = found, events
        found, events = cache[key]
        predicted, label = siren in found, bool(r["label"])
        tp += predicted and label
        fp += predicted and not label
        fn += label and not predicted
        tn += not label and not predicted
        if predicted != label:
            errors.append({"id": r.get("id"), "category": r.get("category"), "label": int(label),
                           "title": r["title"], "evidence": found[siren]["evidence"] if predicted else None})
        if predicted:
            kinds = {events[siren]["kind"]} if siren in events else set()
            for kind in kinds:
                if label and kind == r.get("event"):
                    ev_ok += 1
                else:
                    ev_bad += 1
            ev_missed += bool(label and r.get("event") and r["event"] not in kinds)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall,
            "f1": f1, "precision_ci": wilson(tp, tp + fp), "recall_ci": wilson(tp, tp + fn),
            "event_predicted": ev_ok + ev_bad,
            "event_precision": ev_ok / (ev_ok + ev_bad) if ev_ok + ev_bad else 0.0,
            "event_recall": ev_ok / (ev_ok + ev_missed) if ev_ok + ev_missed else 0.0, "errors": errors}
