"""Emulators of the three APIs over an in-memory data set: real response shapes, pagination, caps, errors and
(optionally) the real rate limit with 429 + Retry-After. Pure request -> response functions, served on loopback
through `as_route` by demo.loopback's server (demo, bench) or by tests.fakes.http_server's (tests, with scripted
faults on top)."""

from __future__ import annotations

import inspect
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable

from demo.loopback import RecordedRequest, Reply

Response = tuple[int, dict[str, str], bytes]
JSON = {"Content-Type": "application/json; charset=utf-8"}


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    return status, {**JSON, **(headers or {})}, json.dumps(data, ensure_ascii=False).encode()


def as_route(emulator: Callable[..., Response], prefix: str = "") -> Callable[[RecordedRequest], Reply]:
    """The emulator as a loopback route: it is called with the request's path less `prefix`, its query, and its
    headers when it takes them (INSEE's API key)."""
    with_headers = "headers" in inspect.signature(emulator.__call__).parameters

    def serve(req: RecordedRequest) -> Reply:
        path = req.path[len(prefix):]
        status, headers, body = (emulator(path, req.query, req.headers) if with_headers
                                 else emulator(path, req.query))
        return Reply(status, body, headers)

    return serve


class RateWindow:
    """At most `per_second` requests in any sliding second, else 429 with Retry-After (like the real APIs)."""

    def __init__(self, per_second: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.clock = clock
        self.stamps: deque[float] = deque()
        self.rejected = 0
        self._lock = threading.Lock()

    def over(self) -> bool:
        if not self.per_second:
            return False
        with self._lock:
            now = self.clock()
            while self.stamps and now - self.stamps[0] >= 1.0:
                self.stamps.popleft()
            if len(self.stamps) >= self.per_second:
                self.rejected += 1
                return True
            self.stamps.append(now)
            return False


class RechercheEmulator:
    """GET /search over `companies` (API shape, each with an internal `_etablissements` list)."""

    def __init__(self, companies: list[dict], *, cap: int = 10_000, rate: RateWindow | None = None) -> None:
        self.companies = sorted(companies, key=lambda c: c["siren"])
        self.cap = cap
        self.rate = rate or RateWindow(None)

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        if self.rate.over():
            return _json({"erreur": "Too Many Requests"}, 429, {"Retry-After": "1"})
        if path != "/search":
            return _json({"erreur": "Not found"}, 404)
        try:
            page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
            limit = int(query.get("limite_matching_etablissements", 10))
        except ValueError:
            return _json({"erreur": "Veuillez indiquer un entier."}, 400)
        if not 1 <= per_page <= 25:
            return _json({"erreur": "Veuillez indiquer un paramètre `per_page` entre 1 et 25."}, 400)
        if page * per_page > 10_000:
            return _json({"erreur": "Le nombre total de résultats est restreint à 10 000. Pour garantir cela, le "
                                    "produit du numéro de page (par défaut, page = 1) et du nombre de résultats par "
                                    "page (par défaut, per_page = 10), c'est-à-dire `page * per_page`, ne doit "
                                    "pas excéder 10 000."}, 400)
        communes = set(filter(None, query.get("code_commune", "").split(",")))
        codes = set(filter(None, query.get("activite_principale", "").split(",")))
        band = query.get("tranche_effectif_salarie")
        hits = []
        for c in self.companies:
            if codes and c.get("activite_principale") not in codes:
                continue
            if band and c.get("tranche_effectif_salarie") != band:
                continue
            matching = [e for e in c["_etablissements"] if not communes or e.get("commune") in communes]
            if communes and not matching:
                continue
            hits.append((c, matching))
        total = min(len(hits), self.cap)
        chunk = hits[(page - 1) * per_page: page * per_page] if (page - 1) * per_page < self.cap else []
        results = [{**{k: v for k, v in c.items() if not k.startswith("_")},
                    "matching_etablissements": m[:limit]} for c, m in chunk]
        return _json({"results": results, "total_results": total, "page": page, "per_page": per_page,
                      "total_pages": -(-total // per_page)})


class InseeEmulator:
    """GET /siret with q=dateDernierTraitementEtablissement:[X TO *] AND (codeCommuneEtablissement:... OR ...)
    or q=siren:XXXXXXXXX (a company's establishments, anywhere), curseur pagination sorted by siret, 404 when
    nothing matches, 401 without the right key."""

    _SINCE = re.compile(r"dateDernierTraitementEtablissement:\[(\S+) TO \*\]")
    _COMMUNE = re.compile(r"codeCommuneEtablissement:(\w+)")
    _SIREN = re.compile(r"(?<!\w)siren:(\d{9})")

    def __init__(self, establishments: list[dict], *, key: str | None = None, rate: RateWindow | None = None) -> None:
        self.establishments = establishments
        self.key = key
        self.rate = rate or RateWindow(None)

    def __call__(self, path: str, query: dict[str, str], headers: dict[str, str] | None = None) -> Response:
        if self.key is not None and (headers or {}).get("x-insee-api-key-integration") != self.key:
            return _json({"fault": {"code": 900901, "message": "Invalid Credentials"}}, 401)
        if self.rate.over():
            return _json({"header": {"statut": 429, "message": "Too Many Requests"}}, 429, {"Retry-After": "2"})
        if path != "/siret":
            return _json({"header": {"statut": 404, "message": "Not found"}}, 404)
        nombre = int(query.get("nombre", 20))
        if nombre > 1000:
            return _json({"header": {"statut": 400, "message": "nombre doit être inférieur à 1000"}}, 400)
        q = query.get("q", "")
        since = (self._SINCE.search(q) or [None, ""])[1]
        communes = set(self._COMMUNE.findall(q))
        sirens = set(self._SIREN.findall(q))
        rows = sorted((e for e in self.establishments
                       if e["dateDernierTraitementEtablissement"] >= since
                       and (not sirens or e["siren"] in sirens)
                       and (not communes or e["adresseEtablissement"]["codeCommuneEtablissement"] in communes)),
                      key=lambda e: e["siret"])
        if not rows:
            return _json({"header": {"statut": 404, "message": "Aucun élément trouvé pour la requête"}}, 404)
        cursor = query.get("curseur")
        start = 0 if cursor in (None, "*") else next((i for i, r in enumerate(rows) if r["siret"] > cursor),
                                                      len(rows))
        page = rows[start:start + nombre]
        following = page[-1]["siret"] if page else cursor
        header = {"statut": 200, "message": "OK", "total": len(rows), "debut": start, "nombre": len(page),
                  "curseur": cursor or "*", "curseurSuivant": following}
        return _json({"header": header, "etablissements": page})


class BodaccEmulator:
    """Opendatasoft Explore v2.1 /records (limit <= 100, offset + limit <= 10,000) and /exports/json over
    `records`, filtered by the `where` forms the extractor sends (cp IN (...) and dateparution bounds)."""

    _CP = re.compile(r'cp IN \(([^)]*)\)')
    _GE = re.compile(r"dateparution >= date'(\d{4}-\d{2}-\d{2})'")
    _LT = re.compile(r"dateparution < date'(\d{4}-\d{2}-\d{2})'")

    def __init__(self, records: list[dict], *, rate: RateWindow | None = None) -> None:
        self.records = sorted(records, key=lambda r: (r["dateparution"], r["id"]))
        self.rate = rate or RateWindow(None)

    def _select(self, where: str) -> list[dict]:
        cps = set(re.findall(r'"(\d{5})"', (self._CP.search(where) or [None, ""])[1]))
        ge = (self._GE.search(where) or [None, "0000-00-00"])[1]
        lt = (self._LT.search(where) or [None, "9999-99-99"])[1]
        return [r for r in self.records if ge <= r["dateparution"] < lt and (not cps or r.get("cp") in cps)]

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        if self.rate.over():
            return _json({"error_code": "TooManyRequests", "message": "Too many requests"}, 429,
                         {"Retry-After": "1"})
        rows = self._select(query.get("where", ""))
        if path.endswith("/exports/json"):
            return _json(rows)
        if not path.endswith("/records"):
            return _json({"error_code": "NotFound", "message": "Unknown path"}, 404)
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        if limit > 100:
            return _json({"error_code": "InvalidRESTParameterError",
                          "message": "Invalid value for limit API parameter: 100 was expected at most"}, 400)
        if offset + limit > 10_000:
            return _json({"error_code": "InvalidRESTParameterError",
                          "message": "Invalid value for offset and limit: offset + limit must be lower than or "
                                     "equal to 10000. Use the export endpoint to get more results."}, 400)
        return _json({"total_count": len(rows), "results": rows[offset:offset + limit]})
