"""A snapshot reader never blocks publishing (T40): its spills go to a folder of its own outside published/, and a
folder left beside the snapshot by any reader (DuckDB's default `radar.duckdb.tmp/`) breaks neither the publisher
nor the clean-up of the next run."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from radar.config import Workdir, load_territory
from steps import common
from tests.warehouse.months import base_month, load, write_months

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def published(tmp_path) -> Workdir:
    stock = write_months(tmp_path, months={"2024-10": base_month})
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    return wd


SPILLING_READER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from warehouse.db import connect_snapshot, reader_temp_dir
    con = connect_snapshot(Path(sys.argv[1]), memory_limit="64MB")
    print(reader_temp_dir(), flush=True)
    con.execute("SELECT count(*) FROM (SELECT md5(CAST(i AS VARCHAR)) AS s FROM range(30000000) t(i) ORDER BY s)")
""")


def test_a_reader_killed_while_spilling_never_blocks_publishing(published):
    wd = published
    reader = subprocess.Popen([sys.executable, "-c", SPILLING_READER, str(wd.published)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    spill_dir = None
    try:
        said = reader.stdout.readline().strip()
        # Checked before anything uses it: the folder this test removes at the end must be the reader's own.
        assert said.startswith(str(Path(tempfile.gettempdir()) / "radar-reader-")), f"the reader said {said!r}"
        spill_dir = Path(said)
        deadline = time.monotonic() + 60
        while not (spill_dir.is_dir() and any(spill_dir.iterdir())):
            assert reader.poll() is None, "the reader ended before spilling"
            assert time.monotonic() < deadline, "the reader never spilled"
            time.sleep(0.05)
        assert not spill_dir.is_relative_to(wd.published.parent)
        assert sorted(p.name for p in wd.published.parent.iterdir()) == ["radar.duckdb"]
    finally:
        reader.send_signal(signal.SIGKILL)
        reader.wait(timeout=30)
    try:
        common.prepare_warehouse(wd)
        before = wd.published.stat().st_ino
        common.publish(wd, load_territory())
        assert wd.published.stat().st_ino != before
    finally:
        if spill_dir is not None:
            shutil.rmtree(spill_dir, ignore_errors=True)


def test_a_spill_folder_left_beside_the_snapshot_breaks_nothing(published):
    """What DuckDB's CLI (or a reader of an older version) leaves when killed mid-spill."""
    wd = published
    left = wd.published.with_name(wd.published.name + ".tmp")
    left.mkdir()
    (left / "duckdb_temp_block-4611686018427388032.block").write_bytes(b"\0" * 4096)
    common.prepare_warehouse(wd)
    common.publish(wd, load_territory())
    assert left.is_dir()  # a reader's folder is the reader's: it may still be spilling there
    assert sorted(p.name for p in wd.published.parent.iterdir()) == ["radar.duckdb", "radar.duckdb.tmp"]


def test_a_failed_publication_removes_its_partial_files(published, monkeypatch):
    wd = published
    before = wd.published.read_bytes()
    monkeypatch.setenv("RADAR_FAIL_AT", "publish_copy")
    with pytest.raises(Exception, match="injected failure at publish_copy"):
        common.publish(wd, load_territory())
    assert wd.published.read_bytes() == before
    assert sorted(p.name for p in wd.published.parent.iterdir()) == ["radar.duckdb"]
