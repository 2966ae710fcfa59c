"""`radar eval linking [--set FILE]`: precision, recall and F1 of the company linker on a labelled set, and the
precision of the typed press events (format: docs/linking-eval.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import UserError

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "linking" / "eval_set.jsonl"
DEFAULT_COMMUNES = ("Boulogne-Billancourt", "Chaville", "Issy-les-Moulineaux", "Marnes-la-Coquette", "Meudon",
                    "Sèvres", "Vanves", "Ville-d'Avray")


def read_eval_set(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for key in ("title", "company", "label"):
            if key not in row:
                raise ValueError(f"{path}:{n}: missing field '{key}'")
        rows.append(row)
    return rows


def evaluate_linking(rows: list[dict], communes=DEFAULT_COMMUNES) -> dict:
    """Scores of the linker (confident mentions only) and of press events, over article-company pairs.

    The company universe is every company of the set, so a pair is a true positive when the linker links the
    article to that company. An event is correct when the pair is a positive labelled with that event kind."""
    import pandas as pd

    from transforms.linking import CompanyIndex, link_text
    from transforms.press_events import company_events

    companies = {r["company"]["siren"]: r["company"] for r in rows}
    index = CompanyIndex(pd.DataFrame(list(companies.values())), commune_names=list(communes))
    tp = fp = fn = tn = ev_ok = ev_bad = ev_missed = 0
    errors = []
    for r in rows:
        siren = r["company"]["siren"]
        found = {m["siren"]: m for m in link_text(index, r["title"], r.get("text")) if m["confident"]}
        predicted, label = siren in found, bool(r["label"])
        tp += predicted and label
        fp += predicted and not label
        fn += label and not predicted
        tn += not label and not predicted
        if predicted != label:
            errors.append({"id": r.get("id"), "category": r.get("category"), "label": int(label),
                           "title": r["title"]})
        if predicted:
            kinds = {e["kind"] for e in company_events(r["title"], r.get("text"),
                                                        [found[siren]["surface"], r["company"]["name"]])}
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
            "f1": f1, "event_predicted": ev_ok + ev_bad,
            "event_precision": ev_ok / (ev_ok + ev_bad) if ev_ok + ev_bad else 0.0,
            "event_recall": ev_ok / (ev_ok + ev_missed) if ev_ok + ev_missed else 0.0, "errors": errors}


@click.group("eval")
def command() -> None:
    """Measure the quality of the pipeline's judgements on labelled sets."""


@command.command("linking")
@click.option("--set", "set_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Labelled JSONL set [default: tests/fixtures/linking/eval_set.jsonl].")
@click.option("--show-errors", is_flag=True, help="List the misclassified pairs.")
def linking(set_file: Path | None, show_errors: bool) -> None:
    """Precision, recall and F1 of article-company linking; precision of press events."""

    path = set_file or DEFAULT_SET
    try:
        scores = evaluate_linking(read_eval_set(path))
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a linking evaluation set ({exc})") from None
    click.echo(f"set: {path} ({scores['pairs']} pairs)")
    click.echo(f"linking  precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}"
               f"  (tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']}, tn {scores['tn']})")
    click.echo(f"events   precision {scores['event_precision']:.3f}  recall {scores['event_recall']:.3f}"
               f"  ({scores['event_predicted']} predicted)")
    if show_errors:
        for e in scores["errors"]:
            click.echo(f"  {e['id']} [{e['category']}] label={e['label']}: {e['title']}")
