"""The report tests' workdirs, built once per session by the pipeline's own steps: the hand-made three months
(tests/reports/monthly_data.py) and the report produced from them; the session's demo (tests/conftest.py) and the
report of its latest month, with every source."""

from __future__ import annotations

import json

import pytest

from radar.config import load_territory
from steps import report as delivery
from steps.common import publish
from tests.builders import territory_text_with
from tests.reports.monthly_data import MONTH, MonthlyWorkdir, build_workdir
from tests.reports.recipients import ENGINEERS, STAFF
from tests.snapshots import DEMO_MONTH, copy_workdir


@pytest.fixture(scope="session")
def monthly(tmp_path_factory) -> MonthlyWorkdir:
    return build_workdir(tmp_path_factory.mktemp("monthly"))


@pytest.fixture(scope="session")
def territory(tmp_path_factory):
    """The default territory with report recipients and an alert address."""
    path = tmp_path_factory.mktemp("territory") / "t.toml"
    path.write_text(territory_text_with(f"""
[report]
recipients = {json.dumps(STAFF)}
alerts = {json.dumps(ENGINEERS)}
sender = "radar@agence.example"
"""), encoding="utf-8")
    return load_territory(path)


@pytest.fixture(scope="session")
def produced(monthly, territory, tmp_path_factory):
    wd = copy_workdir(monthly.workdir, tmp_path_factory.mktemp("produced"))
    first = delivery.prepare_introductions(wd, territory, MONTH)
    again = delivery.prepare_introductions(wd, territory, MONTH)
    publish(wd, territory)
    rendered = delivery.produce_report(wd, territory, MONTH)
    return wd, rendered, (first, again)


@pytest.fixture(scope="session")
def demo_report(demo, territory, tmp_path_factory) -> delivery.Rendered:
    """The demo's latest month as staff receive it: HTML, PDF and annexes, rendered by the report's steps."""
    wd = copy_workdir(demo.workdir, tmp_path_factory.mktemp("demo-report"))
    return delivery.produce_report(wd, territory, DEMO_MONTH)
