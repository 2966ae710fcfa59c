"""T14 for the news landing: a run killed while landing a feed leaves no partial file under a final name, and the
next run removes what it left (a real process, SIGKILLed at the fault point, against the demo feeds on loopback)."""

from __future__ import annotations

from radar.config import Workdir
from steps import common
from tests.warehouse.kill import kill_at

FETCH = """
import sys
from demo.news import demo_feeds
from radar.config import Workdir
from steps.news import fetch_news
from pathlib import Path
fetch_news(Workdir(Path(sys.argv[1])), demo_feeds(sys.argv[2]), allow_hosts=("127.0.0.1",), politeness_seconds=0.001)
"""


def test_a_news_fetch_killed_while_landing_leaves_only_tmp_files_then_they_are_removed(tmp_path):
    from demo.news import serve_demo_news

    wd = Workdir(tmp_path / "wd")
    common.prepare_warehouse(wd)
    with serve_demo_news() as base:
        kill_at("landing_write", FETCH, str(wd.root), base, what="the news fetch")
    landed = [p for p in (wd.landing / "news").rglob("*") if p.is_file()]
    partial = [p for p in landed if p.name.endswith(".tmp")]
    assert partial, "the kill happened while a landing file was being written"
    assert all(p.name.endswith(".tmp") for p in landed), [p.name for p in landed]  # no final name yet
    common.cleanup_tmp_files(wd)
    assert not [p for p in (wd.landing / "news").rglob("*.tmp")]
