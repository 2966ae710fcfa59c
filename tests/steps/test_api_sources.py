"""Landing of API responses: written *.tmp then renamed, no personal fields, request without secrets,
retention; offline replay of a landed run."""

from __future__ import annotations

import hashlib
import os
import time

from extractors.api_page import Page
from radar.config import Workdir
from steps import api_sources
from tests.fakes import bodacc_fake


def test_landing_strips_names_and_prunes_old_runs(tmp_path):
    wd = Workdir(tmp_path).ensure()
    raw = b'{"raw": "bytes with DURAND"}'
    data = {"total_count": 1, "results": [bodacc_fake.notice(1, "552100554", "2026-10-01", person="pp")]}
    path = api_sources.land_page(wd, "run-1", 1, Page("bodacc", "http://x/records", {"limit": 100}, data, raw))
    assert path.name == "00001.json" and not list(wd.landing.rglob("*.tmp"))
    text = path.read_text(encoding="utf-8")
    assert "DURAND" not in text and "Paul" not in text
    landed = next(api_sources.iter_landed(wd, "bodacc", "run-1"))
    assert landed["sha256"] == hashlib.sha256(raw).hexdigest() and landed["request"]["params"] == {"limit": 100}
    assert landed["payload"]["results"][0]["id"] == data["results"][0]["id"]
    old = time.time() - 10 * 86400
    os.utime(path.parent, (old, old))
    api_sources.land_page(wd, "run-2", 1, Page("bodacc", "http://x/records", {}, data, raw))
    assert api_sources.prune_api_landing(wd, retention_days=5) == 1
    assert [p.name for p in (wd.landing / "bodacc").iterdir()] == ["run-2"]
