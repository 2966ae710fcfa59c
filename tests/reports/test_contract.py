"""The readers against the real contract: every SQL statement the report, the introductions and the dashboard hold
is prepared (bound, not run) on the snapshot the pipeline publishes, so a reader that selects a column the snapshot
lacks (the report once asked for `article.source_name`, which the published `article` calls `sources`) fails here,
not silently in front of staff. Statements are found in the modules' source (every string literal that is a whole
SELECT) and in their module-level strings (those composed at import)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re

import duckdb
import pytest

from warehouse.db import connect_snapshot

READERS = ("reports.queries", "reports.source_queries", "reports.introduction_inputs", "dashboard.queries",
           "dashboard.company_queries")
_STATEMENT = re.compile(r"^\s*(SELECT|WITH)\b.*\bFROM\b", re.I | re.S)
_TEMPLATE = re.compile(r"\{[a-z_]+\}")  # a str.format template: its formatted forms are module-level strings


def _is_statement(text: str) -> bool:
    return bool(_STATEMENT.match(text)) and not _TEMPLATE.search(text)


def statements(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    fragments = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    found = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in fragments
             and _is_statement(node.value)}
    for value in vars(module).values():
        values = value.values() if isinstance(value, dict) else [value]
        found |= {v for v in values if isinstance(v, str) and _is_statement(v)}
    return found


def optional(module_name: str) -> dict[str, tuple[str, str]]:
    """Statements a reader runs only when the snapshot has a column (OPTIONAL_STATEMENTS: sql -> table, column)."""
    return getattr(importlib.import_module(module_name), "OPTIONAL_STATEMENTS", {})


@pytest.fixture(scope="module")
def snapshot(demo_snapshot):
    con = connect_snapshot(demo_snapshot)
    yield con
    con.close()


def prepare_errors(con: duckdb.DuckDBPyConnection, sqls: set[str]) -> list[str]:
    errors = []
    for sql in sorted(sqls):
        try:
            con.execute(f"PREPARE contract_check AS {sql}")
            con.execute("DEALLOCATE contract_check")
        except duckdb.Error as exc:
            errors.append(f"{str(exc).splitlines()[0]}\n    in: {' '.join(sql.split())[:160]}")
    return errors


@pytest.mark.parametrize("module_name", READERS)
def test_every_statement_of_the_readers_binds_on_the_published_snapshot(snapshot, module_name):
    sqls = statements(module_name)
    assert len(sqls) >= 3, sqls
    columns = set(snapshot.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall())
    sqls -= {sql for sql, needed in optional(module_name).items() if needed not in columns}
    errors = prepare_errors(snapshot, sqls)
    assert not errors, "\n".join(errors)


def test_the_check_fails_on_a_column_the_snapshot_lacks(snapshot):
    """What the check would have said of the press query of contract 1.2's report."""
    errors = prepare_errors(snapshot, {"SELECT a.article_id, a.title, a.source_name FROM article a WHERE a.month = ?"})
    assert len(errors) == 1 and "source_name" in errors[0]
    assert "source_name" not in {c for (c,) in snapshot.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'article'").fetchall()}
