"""`radar eval linking [--set FILE]`: precision, recall and F1 of the company linker on labelled sets, and the
precision of the typed press events (format and sets: docs/linking-eval.md; the scoring: transforms/linking_eval.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import UserError

SETS_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "linking"
# The frozen bundled set, the hand-written dev set (the linker is tuned on it) and test set (never tuned on).
SETS = {"bundled": SETS_DIR / "eval_set.jsonl", "dev": SETS_DIR / "dev_set.jsonl", "test": SETS_DIR / "test_set.jsonl"}


def _score(path: Path) -> dict:
    from transforms.linking_eval import evaluate_linking, read_eval_set

    try:
        return evaluate_linking(read_eval_set(path))
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a linking evaluation set ({exc})") from None


def _report(path: Path, scores: dict) -> None:
    click.echo(f"set: {path} ({scores['pairs']} pairs)")
    click.echo(f"linking  precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}"
               f"  (tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']}, tn {scores['tn']})")
    click.echo(f"events   precision {scores['event_precision']:.3f}  recall {scores['event_recall']:.3f}"
               f"  ({scores['event_predicted']} predicted)")


@click.group("eval")
def command() -> None:
    """Measure the quality of the pipeline's judgements on labelled sets."""


@command.command("linking")
@click.option("--set", "set_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Score this labelled JSONL set only [default: the bundled, dev and test sets, with 95% "
                   "confidence intervals].")
@click.option("--show-errors", is_flag=True, help="List the misclassified pairs, with the linker's evidence.")
def linking(set_file: Path | None, show_errors: bool) -> None:
    """Precision, recall and F1 of article-company linking; precision of press events."""
    runs = [(None, set_file)] if set_file else [(name, path) for name, path in SETS.items() if path.is_file()]
    for name, path in runs:
        scores = _score(path)
        _report(path, scores)
        if name is not None:  # several sets: how far each figure can be trusted
            (p_lo, p_hi), (r_lo, r_hi) = scores["precision_ci"], scores["recall_ci"]
            click.echo(f"95% CI   precision {p_lo:.3f}-{p_hi:.3f}  recall {r_lo:.3f}-{r_hi:.3f}  (Wilson; {name} set)")
        if show_errors:
            for e in scores["errors"]:
                why = f"  [{e['evidence']}]" if e.get("evidence") else ""
                click.echo(f"  {e['id']} [{e['category']}] label={e['label']}: {e['title']}{why}")
