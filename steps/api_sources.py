"""The steps of an API sources run (Recherche d'entreprises, INSEE Sirene deltas, BODACC), as plain functions the
flow composes and tests call directly. Each source: fetch pages through the one HTTP client, land each response
(personal fields removed) before parsing, parse and clean into staged Parquet, then load in one transaction.
Steps exchange paths and small dicts; secrets are read from the environment here, never passed as parameters."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from extractors import bodacc, insee_sirene, recherche_entreprises
from extractors.api_page import Page
from extractors.http import HostPolicy, HttpClient, client_from_env
from radar.config import Territory, Workdir
from steps.common import write_atomic
from transforms.api_frames import quarantine_frame
from transforms.bodacc import clean_notices
from transforms.enrichment import clean_delta_companies, clean_deltas, clean_enrichment
from warehouse import load_api
from warehouse.db import connect_writer
from warehouse.ledger import record_run
from warehouse.state import get_state

log = logging.getLogger("radar.api")

SOURCES = ("recherche", "insee", "bodacc")
FLOW_NAMES = {"recherche": "api_recherche", "insee": "api_insee", "bodacc": "api_bodacc"}
DEFAULT_ENDPOINTS = {"recherche": recherche_entreprises.BASE_URL, "insee": insee_sirene.BASE_URL,
                     "bodacc": bodacc.BASE_URL}
QUARANTINE_RATIO_MAX = 0.05  # above this share of bad rows the source's run fails (dbt-style error_if)
_STRIP = {"recherche": recherche_entreprises.strip_personal, "insee": insee_sirene.strip_personal,
          "bodacc": bodacc.strip_personal}


class QuarantineExceeded(RuntimeError):
    """Too many rows of one batch failed validation: the source's data is suspect, nothing is loaded."""


class SourceSkipped(RuntimeError):
    """The source is not configured (INSEE without INSEE_API_KEY)."""


def make_client(policies: dict[str, float] | None = None, *, secret_headers: dict | None = None) -> HttpClient:
    """The one HTTP client, with per-host rates (req/s) from the caller (e.g. loopback fakes unthrottled)."""
    host_policies = {host: HostPolicy(rate) for host, rate in (policies or {}).items()}
    return client_from_env(host_policies=host_policies, secret_headers=secret_headers)


# -- landing --------------------------------------------------------------------------------------------------


def land_page(workdir: Workdir, run_id: str, seq: int, page: Page) -> Path:
    """Keep the response (payload without personal fields, request without secrets, time, hash) before parsing."""
    folder = workdir.landing / page.source / run_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{seq:05d}.json"
    record = {"source": page.source, "request": {"url": page.url, "params": page.params},
              "partition": page.partition, "fetched_at": datetime.now(UTC).isoformat(),
              "sha256": hashlib.sha256(page.raw).hexdigest(), "bytes": len(page.raw),
              "payload": _STRIP[page.source](page.data)}
    write_atomic(path, json.dumps(record, ensure_ascii=False).encode("utf-8"), fault_point="raw_write")
    return path


def iter_landed(workdir: Workdir, source: str, run_id: str) -> Iterator[dict]:
    """Replay a landed run offline: the stored payloads, in fetch order."""
    for path in sorted((workdir.landing / source / run_id).glob("*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def prune_api_landing(workdir: Workdir, retention_days: int, *, now: float | None = None) -> int:
    cutoff = (now or time.time()) - retention_days * 86400
    removed = 0
    for source in SOURCES:
        for run_dir in (workdir.landing / source).glob("*"):
            if run_dir.is_dir() and run_dir.stat().st_mtime < cutoff:
                shutil.rmtree(run_dir, ignore_errors=True)
                removed += 1
    return removed


def _stage(workdir: Workdir, source: str, run_id: str, frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    folder = workdir.cache / "api-staged" / source / run_id
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in frames.items():
        path = folder / f"{name}.parquet"
        tmp = path.with_name(path.name + ".tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
        paths[name] = str(path)
    return paths


def _check_quarantine(source: str, counts: dict) -> None:
    seen = counts["rows_in"]
    if seen >= 20 and counts["quarantined"] / seen > QUARANTINE_RATIO_MAX:
        raise QuarantineExceeded(f"{source}: {counts['quarantined']} of {seen} rows failed validation "
                                 f"(more than {QUARANTINE_RATIO_MAX:.0%}): nothing loaded")


def _collect(workdir: Workdir, run_id: str, pages: Iterator[Page],
             parse: Callable[[dict], tuple[list[dict], list[dict]]], *, first: int = 1) -> tuple[list, list, int]:
    rows, rejects, n = [], [], 0
    for n, page in enumerate(pages, start=1):
        land_page(workdir, run_id, first + n - 1, page)
        got, bad = parse(page.data)
        rows.extend(got)
        rejects.extend(bad)
    return rows, rejects, n


# -- fetch + clean (one per source) ------------------------------------------------------------------------------


def fetch_recherche(workdir: Workdir, territory: Territory, run_id: str, *, endpoints: dict | None = None,
                    policies: dict | None = None, naf_codes: list[str] | None = None) -> dict:
    base = (endpoints or {}).get("recherche", DEFAULT_ENDPOINTS["recherche"])
    stats: dict = {}
    codes = sorted(naf_codes or territory.tech_codes)
    with make_client(policies) as client:
        pages = recherche_entreprises.iter_territory_pages(client, territory.commune_codes, codes,
                                                           base_url=base, stats=stats)
        seen = {"n": 0}

        def parse(data: dict):
            seen["n"] += len(data.get("results") or [])
            return recherche_entreprises.parse_search_results(data, territory.commune_codes)

        rows, rejects, n_pages = _collect(workdir, run_id, pages, parse)
    frame, dupes = clean_enrichment(rows)
    counts = {"pages": n_pages, "rows_in": seen["n"], "out_of_territory": seen["n"] - len(rows) - len(rejects),
              "loaded": len(frame), "quarantined": len(rejects), "deduplicated": dupes, **stats}
    _check_quarantine("Recherche d'entreprises", counts)
    paths = _stage(workdir, "recherche", run_id,
                   {"rows": frame, "quarantine": quarantine_frame(rejects, "recherche", "company")})
    return {"source": "recherche", "staged": paths, "counts": counts}


def _insee_since(workdir: Workdir, since: str | None) -> str:
    if since:
        return since
    with connect_writer(workdir.warehouse) as con:
        cursor = get_state(con, "insee", "cursor")
        if cursor:
            return cursor
        latest = con.execute("SELECT max(last_processed_at) FROM core.establishment").fetchone()[0]
    return latest.strftime("%Y-%m-%dT%H:%M:%S") if latest else date.today().isoformat()


def _transfer_sirens(workdir: Workdir, rows: list[dict]) -> list[str]:
    """Companies whose followed, active head office closed (where did it go?) or whose head office is new to the
    warehouse (where did it come from?): the territory query cannot see the other side of a transfer. INSEE
    clears etablissementSiege on a transferred head office, so "was the head office" comes from the warehouse."""
    closed = [r["siret"] for r in rows if r["state"] == "F"]
    opened = [r["siret"] for r in rows if r["is_head_office"] and r["state"] == "A"]
    if not closed and not opened:
        return []
    with connect_writer(workdir.warehouse) as con:
        heads = {s for (s,) in con.execute("SELECT siret FROM core.establishment WHERE is_head_office AND state = 'A' "
                                           "AND siret IN (SELECT unnest(?::VARCHAR[]))", [closed]).fetchall()}
        known = {s for (s,) in con.execute("SELECT siret FROM core.establishment WHERE siret IN "
                                           "(SELECT unnest(?::VARCHAR[]))", [opened]).fetchall()}
    return sorted({s[:9] for s in heads} | {s[:9] for s in opened if s not in known})


def fetch_insee(workdir: Workdir, territory: Territory, run_id: str, *, endpoints: dict | None = None,
                policies: dict | None = None, since: str | None = None, key_optional: bool = False) -> dict:
    headers = insee_sirene.api_key_headers()
    if headers is None and not key_optional:
        raise SourceSkipped(f"INSEE API skipped: {insee_sirene.KEY_ENV} is not set")
    base = (endpoints or {}).get("insee", DEFAULT_ENDPOINTS["insee"])
    start = _insee_since(workdir, since)
    with make_client(policies, secret_headers=headers) as client:
        pages = insee_sirene.iter_delta_pages(client, start, territory.commune_codes, base_url=base,
                                              page_size=insee_sirene.PAGE_SIZE)
        rows, rejects, n_pages = _collect(workdir, run_id, pages, insee_sirene.parse_establishments)
        sirens = _transfer_sirens(workdir, rows)
        seen = {r["siret"] for r in rows}
        for siren in sirens:
            pages = insee_sirene.iter_company_pages(client, siren, base_url=base)
            more, bad, n = _collect(workdir, run_id, pages, insee_sirene.parse_establishments, first=n_pages + 1)
            rows += [{**r, "fetched_by": "siren"} for r in more if r["siret"] not in seen]
            rejects += bad
            n_pages += n
    frame, dupes = clean_deltas(rows)
    counts = {"pages": n_pages, "rows_in": len(rows) + len(rejects), "loaded": len(frame),
              "quarantined": len(rejects), "deduplicated": dupes, "since": start, "siren_lookups": len(sirens)}
    _check_quarantine("INSEE API", counts)
    paths = _stage(workdir, "insee", run_id,
                   {"rows": frame, "companies": clean_delta_companies(rows),
                    "quarantine": quarantine_frame(rejects, "insee", "establishment")})
    # Only the territory query's rows move the cursor: a company lookup may return later processing dates.
    cursor = insee_sirene.max_processed([r for r in rows if r.get("fetched_by") != "siren"])
    return {"source": "insee", "staged": paths, "counts": counts, "cursor": cursor}


def fetch_bodacc(workdir: Workdir, territory: Territory, run_id: str, *, endpoints: dict | None = None,
                 policies: dict | None = None, since: str | None = None, today: str | None = None,
                 lookback_days: int = 7) -> dict:
    base = (endpoints or {}).get("bodacc", DEFAULT_ENDPOINTS["bodacc"])
    postcodes = sorted({p for c in territory.communes for p in c.postcodes})
    end_day = date.fromisoformat(today) if today else date.today()
    if since:
        start, end = date.fromisoformat(since), end_day + pd.Timedelta(days=1).to_pytimedelta()
    else:
        with connect_writer(workdir.warehouse) as con:
            cursor = get_state(con, "bodacc", "cursor")
        start, end = bodacc.incremental_window(cursor, end_day, lookback_days=lookback_days)
    stats: dict = {}
    with make_client(policies) as client:
        if since and (end - start).days > 366:  # a backfill: one export, no 10,000 window
            pages = iter([bodacc.export_page(client, postcodes, start, end, base_url=base)])
        else:
            pages = bodacc.iter_record_pages(client, postcodes, start, end, base_url=base, stats=stats)
        rows, rejects, n_pages = _collect(workdir, run_id, pages, bodacc.parse_records)
    frame, dupes = clean_notices(rows)
    counts = {"pages": n_pages, "rows_in": len(rows) + len(rejects), "loaded": len(frame),
              "quarantined": len(rejects), "deduplicated": dupes, "window": [start.isoformat(), end.isoformat()],
              **stats}
    _check_quarantine("BODACC", counts)
    paths = _stage(workdir, "bodacc", run_id,
                   {"rows": frame, "quarantine": quarantine_frame(rejects, "bodacc", "notice")})
    return {"source": "bodacc", "staged": paths, "counts": counts}


# -- load ---------------------------------------------------------------------------------------------------------


def load_source(workdir: Workdir, fetched: dict, run_id: str, started_at: datetime) -> dict:
    frames = {name: pd.read_parquet(path) for name, path in fetched["staged"].items()}
    source, counts = fetched["source"], fetched["counts"]
    with connect_writer(workdir.warehouse) as con:
        if source == "recherche":
            load_api.load_recherche(con, run_id=run_id, started_at=started_at, enrichment=frames["rows"],
                                    quarantine=frames["quarantine"], counts=counts, fetched_at=started_at)
        elif source == "insee":
            load_api.load_insee(con, run_id=run_id, started_at=started_at, deltas=frames["rows"],
                                companies=frames.get("companies"), quarantine=frames["quarantine"],
                                cursor=fetched.get("cursor"), counts=counts)
        else:
            load_api.load_bodacc(con, run_id=run_id, started_at=started_at, notices=frames["rows"],
                                 quarantine=frames["quarantine"], counts=counts)
    shutil.rmtree(Path(fetched["staged"]["rows"]).parent, ignore_errors=True)
    return counts


def record_failure(workdir: Workdir, source: str, run_id: str, started_at: datetime, exc: BaseException, *,
                   kept: Path | None = None) -> None:
    """The failed source's ledger row, in its own small transaction after any failed load rolled back."""
    status = "skipped" if isinstance(exc, SourceSkipped) else "failed"
    message = f"{type(exc).__name__}: {exc}"[:1700] + (f" (the response is kept in {kept})" if kept else "")
    with connect_writer(workdir.warehouse) as con:
        record_run(con, run_id, FLOW_NAMES[source], started_at, status, message=message)


def keep_rejected(workdir: Workdir, source: str, run_id: str, exc: BaseException) -> Path | None:
    """A response refused for its content ("200 but wrong", T06) kept in the landing zone beside the run's pages,
    so that it can be read once the run is over; secrets were already redacted from it (SourceError.body)."""
    body = getattr(exc, "body", None)
    if body is None:
        return None
    folder = workdir.landing / source / run_id
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "rejected.body", body)
    write_atomic(folder / "rejected.json", json.dumps({
        "url": getattr(exc, "url", None), "status": getattr(exc, "status", None),
        "content_type": getattr(exc, "content_type", None), "error": f"{type(exc).__name__}: {exc}",
        "bytes": len(body), "kept_at": datetime.now(UTC).isoformat()}, ensure_ascii=False).encode("utf-8"))
    return folder / "rejected.body"


def run_source(workdir: Workdir, territory: Territory, source: str, *, endpoints: dict | None = None,
               policies: dict | None = None, since: str | None = None, **options) -> dict:
    """Fetch and load one source; a failure is recorded in the ledger and returned, never raised (T03)."""
    from steps.common import CommittedButUnfinished, committed_but_unfinished, new_run_id

    run_id, started = new_run_id(), datetime.now(UTC)
    fetch = {"recherche": fetch_recherche, "insee": fetch_insee, "bodacc": fetch_bodacc}[source]
    try:
        kwargs = dict(endpoints=endpoints, policies=policies, **options)
        if source != "recherche":
            kwargs["since"] = since
        fetched = fetch(workdir, territory, run_id, **kwargs)
        counts = load_source(workdir, fetched, run_id, started)
    except Exception as exc:  # isolated per source: the others still run
        exc = committed_but_unfinished(workdir, run_id, f"the {source} load", exc)
        log.error("%s: %s", source, exc)
        kept = keep_rejected(workdir, source, run_id, exc)
        if not isinstance(exc, CommittedButUnfinished):  # its ledger row says success, rightly
            record_failure(workdir, source, run_id, started, exc, kept=kept)
        return {"source": source, "status": "skipped" if isinstance(exc, SourceSkipped) else "failed",
                "run_id": run_id, "error": f"{type(exc).__name__}: {exc}", "rejected": kept and str(kept)}
    return {"source": source, "status": "loaded", "run_id": run_id, "counts": counts}
