"""Every client the steps build names the contact of $RADAR_CONTACT in its User-Agent (`client_from_env`)."""

from __future__ import annotations

import pytest

from steps.api_sources import make_client
from steps.news import news_client


@pytest.mark.parametrize("build", [make_client, news_client], ids=["api sources", "news"])
def test_the_steps_clients_name_radar_contact(monkeypatch, build):
    monkeypatch.setenv("RADAR_CONTACT", "mailto:ops@example.net")
    with build() as client:
        assert client.user_agent.endswith(" (+mailto:ops@example.net)")
    monkeypatch.delenv("RADAR_CONTACT")
    with build() as client:
        assert client.user_agent.endswith(" (+mailto:data@example.org)")
