"""T20: the published snapshot opens with the DuckDB versions analysts are likely to have (from PyPI), and the
analysts' example queries run on them. Each version goes into a throwaway virtualenv under a cache folder
($RADAR_DUCKDB_COMPAT_CACHE, default ~/.cache/radar/duckdb-compat); skipped when PyPI cannot be reached."""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

from warehouse.publish import SNAPSHOT_STORAGE_VERSION

pytestmark = pytest.mark.compat

# The oldest release of each line analysts may still run; the writer is pinned in pyproject.toml.
VERSIONS = ("1.1.3", "1.2.2", "1.3.2", "1.4.1")
CACHE = Path(os.environ.get("RADAR_DUCKDB_COMPAT_CACHE") or Path.home() / ".cache" / "radar" / "duckdb-compat")
DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"

READER = r"""
import json, sys, duckdb
path, queries = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect(path, read_only=True, config={"enable_external_access": False})
tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
failed = {}
for i, q in enumerate(queries):
    try:
        # Counted inside DuckDB: fetching TIMESTAMPTZ values into Python would also test pytz, not the file.
        con.execute("SELECT count(*) FROM (" + q.strip().rstrip(";") + ")").fetchall()
    except duckdb.Error as exc:
        failed[i] = str(exc).splitlines()[0]
print(json.dumps({"version": duckdb.__version__, "counts": counts, "failed": failed}))
"""


def duckdb_python(version: str) -> Path:
    """A Python with exactly duckdb==version installed; pytest.skip when the registry is unreachable."""
    home = CACHE / f"duckdb-{version}"
    python = home / "bin" / "python"
    marker = home / ".installed"
    if marker.is_file():
        return python
    venv.create(home, with_pip=True, clear=True)
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--only-binary=:all:", "--timeout", "20", f"duckdb=={version}"],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.skip(f"cannot install duckdb=={version} from the package registry: "
                    f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}")
    marker.write_text(version)
    return python


def test_storage_version_is_the_oldest_tested():
    """If the writer's storage format moves past the oldest version tested here, fail loudly (T20)."""
    assert SNAPSHOT_STORAGE_VERSION == "v" + ".".join(VERSIONS[0].split(".")[:2]) + ".0"


@pytest.mark.parametrize("version", VERSIONS)
def test_older_duckdb_opens_the_snapshot(demo_snapshot, version):
    import duckdb

    python = duckdb_python(version)
    queries = [q for q in re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)]
    out = subprocess.run([str(python), "-c", READER, str(demo_snapshot), json.dumps(queries)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout)
    assert seen["version"] == version
    con = duckdb.connect(str(demo_snapshot), read_only=True)
    try:
        expected = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                    for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()}
    finally:
        con.close()
    assert seen["counts"] == expected
    assert not seen["failed"], seen["failed"]
