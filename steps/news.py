"""The steps of a news run, as plain functions the flow composes (and tests call directly).

fetch (feeds, conditional GET, robots.txt, article pages) -> land raw feeds and items -> transform (clean,
stories, links to companies, press events) -> load in one transaction -> publish (the caller).
Steps exchange paths and small dicts.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

import pandas as pd

from extractors import google_news
from extractors.articles import MAX_ARTICLE_BYTES, fetch_article
from extractors.feeds import FEED_KINDS, FeedConfig, FeedParserPool, fetch_feed
from extractors.http import BlockedUrl, HostPolicy, HttpClient, SourceError, client_from_env
from extractors.robots import RobotsCache
from radar.config import ConfigError, Territory, Workdir
from steps.common import committed_but_unfinished, new_run_id, write_atomic, write_json
from transforms.linking import CompanyIndex, territory_mentions
from transforms.news import clean_items, publisher_url
from transforms.story_links import link_and_group
from transforms.urls import InvalidUrl, url_key
from warehouse.db import connect_writer
from warehouse.load_news import SOURCE, event_id, existing_stories, known_urls, load_news, read_feed_state

POLITENESS_SECONDS = 1.0  # at most one request per second and per host
MAX_PAGES_PER_RUN = 300
GOOGLE_NEWS_SEARCH = "https://news.google.com/rss/search?q="
GOOGLE_NEWS_FR = "&hl=fr&gl=FR&ceid=FR:fr"
TERRITORY_ALIASES = ("GPSO", "Grand Paris Seine Ouest", "Seine Ouest")


# ---------------------------------------------------------------------------------------------------------------
# Configuration


def feeds_from_territory(territory: Territory) -> list[FeedConfig]:
    """The territory TOML's [[feeds]] (name, url, kind = national | local | search), plus one search feed per
    name of [news] watch = [...]."""
    where = str(territory.source_file or "territory")
    feeds = []
    for i, spec in enumerate(territory.raw.get("feeds", [])):
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("url"):
            raise ConfigError(f"{where}: feeds[{i}] needs a name and a url")
        url, kind = str(spec["url"]).strip(), str(spec.get("kind", "national"))
        if not url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"{where}: feeds[{i}].url must be an http(s) URL, got {url[:100]!r}")
        if kind not in FEED_KINDS:
            raise ConfigError(f"{where}: feeds[{i}].kind '{kind}' is not one of {', '.join(sorted(FEED_KINDS))}")
        feeds.append(FeedConfig(str(spec["name"]), url, kind))
    for name in territory.raw.get("news", {}).get("watch", []):  # a Google News search per watched company
        feeds.append(FeedConfig(f"Google News {name}", GOOGLE_NEWS_SEARCH + quote_plus(f'"{name}"') + GOOGLE_NEWS_FR,
                                "search"))
    return feeds


def news_client(*, allow_hosts=(), politeness_seconds: float = POLITENESS_SECONDS, **kwargs) -> HttpClient:
    """The shared client, guarded (configured URLs), paced per host."""
    return client_from_env(guard=True, allow_hosts=allow_hosts, default_policy=HostPolicy(1.0 / politeness_seconds),
                           read_timeout=20.0, **kwargs)


# ---------------------------------------------------------------------------------------------------------------
# Fetch


def fetch_news(workdir: Workdir, feeds: list[FeedConfig], *, client: HttpClient | None = None,
               allow_hosts=(), fetch_pages: bool = True, max_pages: int = MAX_PAGES_PER_RUN,
               politeness_seconds: float = POLITENESS_SECONDS, pool: FeedParserPool | None = None) -> dict:
    """Fetch every feed (a failing feed never stops the others), then the pages of new items; land it all."""
    workdir.ensure()
    with connect_writer(workdir.warehouse) as con:
        state = read_feed_state(con)
        seen = known_urls(con)
    own_client = client is None
    client = client or news_client(allow_hosts=allow_hosts, politeness_seconds=politeness_seconds)
    stamp = new_run_id()  # timestamp + random suffix: two runs never share a landing folder
    out_dir = workdir.landing / "news" / stamp
    out_dir.mkdir(parents=True, exist_ok=True)
    robots = RobotsCache(client)
    results, items, pages = [], [], {"fetched": 0, "robots_disallowed": 0, "blocked": 0, "failed": 0,
                                  "skipped_known": 0}
    own_pool = pool is None
    pool = pool or FeedParserPool()  # one parser worker for the whole fetch
    try:
        for feed in feeds:
            results.append(_fetch_one(client, feed, pool, state.get(feed.url, {}), robots, out_dir, items))
        resolve_google_news(client, robots, items, pages, fetch_pages=fetch_pages)
        if fetch_pages:
            _enrich_with_pages(client, robots, items, seen, pages, max_pages)
    finally:
        if own_pool:
            pool.close()
        if own_client:
            client.close()
    items_path = out_dir / "items.jsonl"
    write_atomic(items_path, "".join(json.dumps(item, ensure_ascii=False, default=str) + "\n"
                                     for item in items).encode("utf-8"))
    manifest = {"feeds": results, "pages": pages, "items": len(items), "fetched_at": stamp}
    write_json(out_dir / "manifest.json", manifest)
    return {"items_path": str(items_path), **manifest}


def every_feed_failed(fetched: dict) -> str | None:
    """One line naming the first reasons when every feed failed (nothing was read: a user must act), else None."""
    feeds = fetched["feeds"]
    if not feeds or any(f["status"] != "error" for f in feeds):
        return None
    reasons = "; ".join(f["error"] or f["name"] for f in feeds[:3]) + ("; ..." if len(feeds) > 3 else "")
    return f"every feed failed ({len(feeds)}): {' '.join(reasons.split())}"


def _fetch_one(client, feed: FeedConfig, pool, prev: dict, robots, out_dir: Path, items: list) -> dict:
    res = fetch_feed(client, feed, pool, etag=prev.get("etag"), last_modified=prev.get("last_modified"),
                     robots=robots)
    if res.raw:  # the landing zone keeps what the source sent
        write_atomic(out_dir / f"{hashlib.sha1(feed.url.encode()).hexdigest()[:12]}.xml", res.raw)
    items.extend(res.items)
    return {"name": feed.name, "url": feed.url, "kind": feed.kind, "status": res.status, "items": len(res.items),
            "error": res.error, "etag": res.etag, "last_modified": res.last_modified}


def resolve_google_news(client, robots, items: list[dict], pages: dict, *, fetch_pages: bool = True,
                        hosts=google_news.GOOGLE_NEWS_HOSTS) -> None:
    """Google News items point to the article itself: its URL read from the link, else from Google's page."""
    for item in items:
        ident = google_news.article_id(item.get("url") or "", hosts)
        if ident is None:
            continue
        target = google_news.target_in_id(ident)
        if target is None and fetch_pages:
            try:
                if robots.allowed(item["url"]):
                    page = client.get(item["url"], source=f"{item['feed_name']} link", expect="html",
                                      max_bytes=MAX_ARTICLE_BYTES)
                    target = google_news.target_in_page(page.content.decode("utf-8", "replace"), hosts)
            except SourceError:
                target = None
        if target is None:
            pages["google_news_unresolved"] = pages.get("google_news_unresolved", 0) + 1
            continue
        item["via_url"], item["url"] = item["url"], target
        pages["google_news_resolved"] = pages.get("google_news_resolved", 0) + 1


def _enrich_with_pages(client, robots, items, seen, pages, max_pages) -> None:
    fetched: dict[str, dict] = {}  # one request per URL key, however many feeds carry it
    for item in items:
        try:
            key = url_key(publisher_url(item))
        except InvalidUrl:
            continue
        if key in seen:
            pages["skipped_known"] += 1
            continue
        if key in fetched:
            page = fetched[key]
        else:
            if pages["fetched"] >= max_pages:
                break
            try:
                page = fetch_article(client, item["url"], robots=robots, source=f"{item['feed_name']} article")
            except BlockedUrl:  # the address guard refused it (a private address): not a robots.txt matter
                page = None
                pages["blocked"] += 1
            except SourceError:
                page = None
                pages["failed"] += 1
            else:
                pages["fetched" if page is not None else "robots_disallowed"] += 1
            fetched[key] = page
        if page is None:
            continue
        for name in ("canonical_url", "og_url", "ld_url", "description", "text", "section", "language",
                     "is_paywalled", "author"):
            if page.get(name) not in (None, ""):
                item[name] = page[name]
        if page.get("published_at") and not item.get("published_at"):
            item["published_at"] = page["published_at"].isoformat()
        if page.get("title") and not item.get("title"):
            item["title"] = page["title"]


# ---------------------------------------------------------------------------------------------------------------
# Transform


def companies_for_linking(con, territory: Territory) -> pd.DataFrame:
    """Legal persons of the territory with every name they go by (legal name, usual names, signs of their
    establishments here, sigle, Recherche d'entreprises' nom_complet), their activity and their communes here.
    Natural persons and units whose statutDiffusion is P are never linked: their names are personal data."""
    names = {c.code: c.name for c in territory.communes}
    frame = con.execute("""
        SELECT c.siren, c.denomination AS name, c.sigle,
               list_distinct(list_filter([c.usual_name1, c.usual_name2, c.usual_name3]
                   || coalesce(e.names, []), lambda x: x IS NOT NULL AND x <> c.denomination)) AS aliases,
               r.nom_complet, c.naf_code, coalesce(e.communes, []) AS commune_codes
        FROM core.company c
        LEFT JOIN (SELECT siren, flatten(list([sign1, sign2, sign3, usual_name])) AS names,
                          list(DISTINCT commune_code) AS communes
                   FROM core.establishment WHERE in_territory AND statut_diffusion <> 'P' GROUP BY siren) e
               USING (siren)
        LEFT JOIN api.company_enrichment r USING (siren)
        WHERE coalesce(c.legal_form, '') <> '1000' AND coalesce(c.statut_diffusion, 'O') <> 'P'
          AND c.denomination IS NOT NULL""").df()
    frame["communes"] = [[names[c] for c in codes if c in names] for codes in frame.pop("commune_codes")]
    return frame


def transform_news(workdir: Workdir, territory: Territory, fetched: dict) -> dict:
    items = [json.loads(line) for line in open(fetched["items_path"], encoding="utf-8") if line.strip()]
    clean = clean_items(items)
    with connect_writer(workdir.warehouse) as con:
        stored = existing_stories(con)
        seen = known_urls(con)
        companies = companies_for_linking(con, territory)
    arts = clean.articles
    known = arts["url_key"].map(seen)  # a URL already stored keeps its story, whatever its text now
    index = CompanyIndex(companies, commune_names=[c.name for c in territory.communes])
    fresh, mentions, events = link_and_group(index, arts[known.isna()].reset_index(drop=True), stored)
    story_of = dict(zip(arts.loc[known.notna(), "article_id"], known[known.notna()]))
    story_of.update(dict(zip(fresh["article_id"], fresh["story_id"])))
    now = datetime.now(UTC)
    communes = [c.name for c in territory.communes] + list(TERRITORY_ALIASES)
    stories = fresh[fresh["story_id"] == fresh["article_id"]].copy()
    stories["territory_communes"] = [territory_mentions(communes, t, f"{d or ''} {b or ''}")
                                     for t, d, b in zip(stories["title"], stories["description"].fillna(""),
                                                        stories["body_text"].fillna(""))]
    stories["first_seen_at"] = now
    stories = stories.drop(columns=["story_id", "url", "feed_name", "feed_url", "feed_kind"])
    appearances = clean.appearances.assign(article_id=clean.appearances["article_id"].map(story_of),
                                           first_seen_at=now)
    mentions = _mention_rows(mentions)
    events = _event_rows(events, mentions, fresh)
    staged = workdir.landing / "news" / Path(fetched["items_path"]).parent.name / "staged"
    staged.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (("stories", stories), ("appearances", appearances), ("mentions", mentions),
                        ("events", events), ("quarantine", clean.quarantine.assign(
                            raw=clean.quarantine["raw"].map(lambda r: json.dumps(r, default=str))))):
        path = staged / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        paths[name] = str(path)
    state = {f["url"]: {"etag": f["etag"], "last_modified": f["last_modified"]}
             for f in fetched["feeds"] if f["status"] == "ok" and (f["etag"] or f["last_modified"])}
    counts = {**clean.counts, "known_urls": int(known.notna().sum()), "new_stories": len(stories),
              "mentions": int(mentions["is_confident"].sum()) if len(mentions) else 0,
              "events": events["kind"].value_counts().to_dict() if len(events) else {},
              "feeds": {s: sum(f["status"] == s for f in fetched["feeds"]) for s in ("ok", "not_modified", "error")},
              "pages": fetched.get("pages", {})}
    return {"staged": paths, "feed_state": state, "counts": counts}


MENTION_COLUMNS = ["article_id", "siren", "alias", "surface", "method", "confidence", "is_confident", "evidence"]


def _mention_rows(mentions: list[dict]) -> pd.DataFrame:
    rows = [{**{k: m[k] for k in MENTION_COLUMNS if k in m}, "is_confident": m["confident"]} for m in mentions]
    return pd.DataFrame(rows, columns=MENTION_COLUMNS)


def _event_rows(events: list[dict], mentions: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """press_mention for every confident mention, and the story's typed event of each company."""
    story = fresh.drop_duplicates("story_id").set_index("story_id")
    leader = fresh[fresh["article_id"] == fresh["story_id"]].set_index("story_id")
    typed = {(e["story_id"], e["siren"]): e for e in events}
    rows = []
    for m in mentions[mentions["is_confident"]].itertuples(index=False):
        head = leader.loc[m.article_id] if m.article_id in leader.index else story.loc[m.article_id]
        published = head.published_at if pd.notna(head.published_at) else datetime.now(UTC)
        found = [{"kind": "press_mention", "amount_eur": None}]
        found += [typed[(m.article_id, m.siren)]] if (m.article_id, m.siren) in typed else []
        for ev in found:
            details = {"article_id": m.article_id, "title": head.title, "method": m.method,
                       "confidence": m.confidence, "amount_eur": ev.get("amount_eur")}
            rows.append({"event_id": event_id(ev["kind"], m.article_id, m.siren),
                         "month": published.date().replace(day=1), "event_date": published.date(),
                         "kind": ev["kind"], "siren": m.siren, "siret": None, "source": SOURCE,
                         "details": json.dumps(details), "evidence": head.canonical_url})
    return pd.DataFrame(rows, columns=["event_id", "month", "event_date", "kind", "siren", "siret", "source",
                                       "details", "evidence"])


# ---------------------------------------------------------------------------------------------------------------
# Load


def load_news_run(workdir: Workdir, transformed: dict, run_id: str, started_at: datetime) -> dict:
    frames = {name: pd.read_parquet(path) for name, path in transformed["staged"].items()}
    if len(frames["events"]):
        frames["events"]["month"] = pd.to_datetime(frames["events"]["month"]).dt.date
        frames["events"]["event_date"] = pd.to_datetime(frames["events"]["event_date"]).dt.date
    try:
        with connect_writer(workdir.warehouse) as con:
            return load_news(con, run_id=run_id, started_at=started_at, stories=frames["stories"],
                             appearances=frames["appearances"], mentions=frames["mentions"], events=frames["events"],
                             quarantine=frames["quarantine"], feed_state=transformed["feed_state"],
                             counts=transformed["counts"])
    except Exception as exc:  # after the COMMIT the stories are safe: say so rather than "failed"
        raise committed_but_unfinished(workdir, run_id, "the news load", exc) from exc

