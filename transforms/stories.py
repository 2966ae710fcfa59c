"""One story per event: the copies of one dispatch across feeds and sites (Google News, a WordPress site, an Atom
feed, an Arc XP site, each with its own title and lead) are one story; different stories that share words stay
apart.

Candidates come from MinHash LSH over word shingles of title + lead (datasketch: no all-pairs comparison) and from
a shared company. Two articles are one story when, within a time window, nothing tells them apart (another
company, another amount, another kind of event) and their text is close (estimated Jaccard) or their titles are
(rapidfuzz token-set similarity) with a company in common. A story already stored keeps its id; two stored
stories are never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from transforms.lexicon import STOPWORDS
from transforms.names import normalize_text
from transforms.press_events import detect_events, parse_amount_eur, sentences

NUM_PERM = 128
CANDIDATE_THRESHOLD = 0.2  # LSH: pairs likely above this Jaccard are compared
SAME_TEXT = 0.5  # estimated Jaccard of shingles: the same text, lightly edited
SAME_TITLE = 60  # token-set similarity of titles, 0-100, for copies that name the same company
WINDOW = timedelta(days=3)
LEAD_WORDS = 60
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass
class StoryDoc:
    id: str
    title: str
    lead: str
    published: pd.Timestamp | None
    sirens: frozenset[str] = frozenset()
    stored: bool = False  # a story already in the warehouse
    minhash: MinHash | None = None
    numbers: frozenset[str] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)


def _words(text: str) -> list[str]:
    return [w for w in normalize_text(text).split() if w not in STOPWORDS]


def story_doc(doc_id: str, title, lead, published, sirens=(), stored: bool = False) -> StoryDoc:
    title = title if isinstance(title, str) else ""
    lead = " ".join(lead.split()[:LEAD_WORDS]) if isinstance(lead, str) else ""
    words = _words(f"{title} {lead}")
    shingles = {f"{a} {b}" for a, b in zip(words, words[1:])} | set(_words(title))
    minhash = MinHash(num_perm=NUM_PERM, seed=2026)
    minhash.update_batch([s.encode("utf-8") for s in shingles] or [b""])
    told = sentences(title, lead)
    amounts = {str(a) for s in told if (a := parse_amount_eur(s))}
    return StoryDoc(doc_id, title, lead, published if published is not None and pd.notna(published) else None,
                    frozenset(sirens), stored, minhash, frozenset(amounts),
                    frozenset(e["kind"] for e in detect_events(told)))


def same_story(a: StoryDoc, b: StoryDoc) -> bool:
    if a.published is not None and b.published is not None and abs(a.published - b.published) > WINDOW:
        return False
    if a.sirens and b.sirens and not a.sirens & b.sirens:
        return False  # about other companies
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        return False  # another amount
    if a.kinds and b.kinds and not a.kinds & b.kinds:
        return False  # another kind of event: a round is not a hiring plan
    if a.minhash.jaccard(b.minhash) >= SAME_TEXT:
        return True
    titles = fuzz.token_set_ratio(" ".join(_words(a.title)), " ".join(_words(b.title)))
    return bool(a.sirens & b.sirens) and titles >= SAME_TITLE


def group_stories(new: list[StoryDoc], stored: list[StoryDoc]) -> dict[str, str]:
    """Story id of every new document: a stored story it copies, else the earliest of its group among the new."""
    docs = stored + new
    parent = {d.id: d.id for d in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_id = {d.id: d for d in docs}
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    for d in docs:
        lsh.insert(d.id, d.minhash)
    by_siren: dict[str, list[str]] = {}
    for d in docs:
        for s in d.sirens:
            by_siren.setdefault(s, []).append(d.id)
    order = {d.id: (not d.stored, d.published or pd.Timestamp.max.tz_localize("UTC"), d.id) for d in docs}
    for d in new:
        candidates = set(lsh.query(d.minhash)) | {o for s in d.sirens for o in by_siren[s]}
        for other_id in sorted(candidates - {d.id}, key=order.__getitem__):
            a, b = find(d.id), find(other_id)
            if a == b or (by_id[a].stored and by_id[b].stored) or not same_story(d, by_id[other_id]):
                continue
            keep, drop = (a, b) if order[a] <= order[b] else (b, a)
            parent[drop] = keep
    return {d.id: find(d.id) for d in new}
