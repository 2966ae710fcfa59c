"""The short summary printed after a run, read from the published snapshot (what users will see)."""

from __future__ import annotations

from radar.config import Workdir
from warehouse.db import connect_snapshot


def _figures(workdir: Workdir) -> dict:
    con = connect_snapshot(workdir.published)
    try:
        info = con.execute("SELECT latest_month, first_month, months_loaded FROM snapshot_info").fetchone()
        latest = info[0]
        stock = dict(con.execute(
            "SELECT scope, {'establishments': establishments, 'companies': companies} FROM territory_monthly "
            "WHERE month = ?", [latest]).fetchall())
        # Events from INSEE deltas are provisional (the next stock replaces them): counted apart, as the report does.
        events = con.execute("SELECT kind, count(*) FROM event WHERE source <> 'insee' GROUP BY kind "
                             "ORDER BY kind").fetchall()
        provisional = con.execute("SELECT count(*) FROM event WHERE source = 'insee'").fetchone()[0]
        quarantined = con.execute("SELECT coalesce(sum(rows), 0) FROM quarantine_summary").fetchone()[0]
    finally:
        con.close()
    return {"latest": latest, "first": info[1], "months": info[2], "stock": stock, "events": events,
            "provisional": provisional, "quarantined": quarantined}


def _lines(workdir: Workdir, elapsed: float) -> list[str]:
    f = _figures(workdir)
    all_, tech = f["stock"].get("all", {}), f["stock"].get("tech", {})
    lines = [
        f"months loaded:     {f['months']} ({f['first']:%Y-%m} to {f['latest']:%Y-%m})",
        f"in the territory:  {all_.get('establishments', 0)} active establishments, "
        f"{all_.get('companies', 0)} companies at end of {f['latest']:%Y-%m}",
        f"  of which tech:   {tech.get('establishments', 0)} establishments, {tech.get('companies', 0)} companies",
        "events by kind:    " + (", ".join(f"{k} {n}" for k, n in f["events"]) or "none"),
        *([f"provisional:       {f['provisional']} events from INSEE deltas since the latest stock "
           "(the next stock confirms or replaces them)"] if f["provisional"] else []),
        f"quarantined rows:  {f['quarantined']} (see quarantine_summary)",
        f"warehouse:         {workdir.warehouse}",
        f"snapshot:          {workdir.published}",
    ]
    return lines + [f"elapsed:           {elapsed:.1f} s"]


def demo_summary(workdir: Workdir, result: dict, elapsed: float) -> str:
    loaded = sum(1 for r in result["months"] if r["status"] == "loaded")
    unchanged = sum(1 for r in result["months"] if r["status"] == "unchanged")
    head = [f"radar demo: {loaded} month(s) loaded, {unchanged} unchanged"]
    sources = result.get("api_sources") or []
    if sources:
        head.append("api sources:       " + ", ".join(f"{r['source']} {r['status']}" for r in sources))
    news = result.get("news")
    if news:
        counts = news.get("counts") or {}
        head.append("news:              " + (", ".join(f"{k} {v}" for k, v in counts.items()
                                                       if isinstance(v, (int, float))) or news.get("status", "")))
    lines = _lines(workdir, elapsed)
    extra = [f"report:            {result['report']}"]
    extra += [f"pdf:               {result['pdf']}"] if result.get("pdf") else []
    extra += [f"outbox:            {result['outbox']}"] if result.get("outbox") else []
    return "\n".join(head + lines[:-1] + extra + [lines[-1]])


def run_summary(workdir: Workdir, result: dict, elapsed: float) -> str:
    head = [f"radar run: month {result['month']} {result['status']}"]
    counts = result.get("counts")
    if counts:
        e, c = counts["establishments"], counts["companies"]
        head.append(f"establishments:    {e['rows_in']} in, {e['loaded']} loaded, {e['quarantined']} quarantined, "
                    f"{e['deduplicated']} duplicates removed")
        head.append(f"companies:         {c['rows_in']} in, {c['loaded']} loaded, {c['quarantined']} quarantined, "
                    f"{c['deduplicated']} duplicates removed")
    return "\n".join(head + _lines(workdir, elapsed))
