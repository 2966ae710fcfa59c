"""New articles into stories, with the companies each story is about and each company's press event.

Every new article is linked to companies first (transforms/linking.py), so that grouping copies into stories
(transforms/stories.py) can use the companies they name. A story seen for the first time in this run gets its
mentions (the best occurrence of each company over its copies) and at most one typed event per company (from its
richest copy that tells one). Copies of a story already stored only add where it appeared: they never add a second
event to it.
"""

from __future__ import annotations

import pandas as pd

from transforms.linking import CompanyIndex, link_text
from transforms.press_events import story_events
from transforms.stories import group_stories, story_doc


def _text(row) -> str:
    return " ".join(t for t in (row.description, row.body_text) if isinstance(t, str))


def link_and_group(index: CompanyIndex, fresh: pd.DataFrame, stored: pd.DataFrame) -> tuple[pd.DataFrame, list, list]:
    """(`fresh` with story_id, mentions, events). `stored`: story_id, title, description, published_at, sirens
    of recent stories. Mentions and events are for the stories new in this run, keyed by story id."""
    links = {row.article_id: link_text(index, row.title, _text(row)) for row in fresh.itertuples(index=False)}
    docs = [story_doc(row.article_id, row.title, row.description if isinstance(row.description, str)
                      else row.body_text, row.published_at,
                      {m["siren"] for m in links[row.article_id] if m["confident"]})
            for row in fresh.itertuples(index=False)]
    kept = [story_doc(row.story_id, row.title, row.description, row.published_at, row.sirens, stored=True)
            for row in stored.itertuples(index=False)]
    story_of = group_stories(docs, kept)
    fresh = fresh.assign(story_id=pd.array([story_of[a] for a in fresh["article_id"]], dtype="string"))
    stored_ids = set(stored["story_id"])
    richness = fresh["body_text"].str.len().fillna(0) + fresh["description"].str.len().fillna(0)
    mentions: dict[tuple[str, str], dict] = {}
    events: dict[tuple[str, str], dict] = {}
    for row in fresh.assign(_r=richness).sort_values("_r", ascending=False, kind="stable").itertuples(index=False):
        if row.story_id in stored_ids:
            continue
        found = links[row.article_id]
        for m in found:
            key = (row.story_id, m["siren"])
            if key not in mentions or m["confidence"] > mentions[key]["confidence"]:
                mentions[key] = {"article_id": row.story_id, **m}
        surfaces = {m["siren"]: m["surfaces"] for m in found if m["confident"]}
        for siren, event in story_events(row.title, _text(row), surfaces).items():
            events.setdefault((row.story_id, siren), {"story_id": row.story_id, "siren": siren, **event})
    return fresh, list(mentions.values()), list(events.values())
