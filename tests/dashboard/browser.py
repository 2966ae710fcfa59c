"""A running `radar dashboard` subprocess on a free loopback port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]
PAGES = {"": "Vue d'ensemble", "carte": "Carte des établissements", "entreprises": "Entreprises",
         "fiche": "Fiche entreprise", "signaux": "Signaux", "qualite": "Qualité des données"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_dashboard(workdir: Path, log: Path, tiles: str = "none"):
    """`radar dashboard` as a user starts it; yields the base URL once the server answers. Base tiles are off
    unless a test passes a (loopback) tile URL template: nothing may leave the machine."""
    port = free_port()
    radar = Path(sys.executable).with_name("radar")
    cmd = [str(radar), "dashboard", "--workdir", str(workdir), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["RADAR_DASHBOARD_TILES"] = tiles
    with log.open("wb") as out:
        # Started from elsewhere than the project, as a user would: imports must not depend on the cwd.
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"radar dashboard exited: {log.read_text(errors='replace')}")
                try:
                    if httpx.get(base + "/_stcore/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("radar dashboard did not start within 60 s")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Browser:
    """One Chromium page that records console errors, dialogs and every request leaving loopback (blocked).

    By default every request goes through Playwright's router, which aborts those leaving loopback; routing also
    turns the HTTP cache off, so each visit downloads the whole front end again. `cache=True` (the benchmark:
    a returning user's browser keeps Streamlit's immutable bundles) blocks names at Chromium's resolver instead
    and only records outside requests."""

    def __init__(self, pw, cache: bool = False):
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside_requests: list[str] = []
        args = CHROMIUM_ARGS + (["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"] if cache else [])
        self.browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 1800}, locale="fr-FR",
                                                timezone_id="Europe/Paris", service_workers="block")
        if cache:
            self.context.on("request", lambda r: self._outside(r.url) and self.outside_requests.append(r.url))
        else:
            self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.bad_responses: list[str] = []
        self.page.on("response", lambda r: r.status >= 400 and self.bad_responses.append(f"{r.status} {r.url}"))

    @staticmethod
    def _outside(url: str) -> bool:
        return not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in ("127.0.0.1", "localhost")

    def _route(self, route):
        if self._outside(route.request.url):
            self.outside_requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str, title: str, timeout: float = 30_000) -> float:
        """Load a page and wait until it is interactive: title drawn, app idle. Returns seconds taken."""
        started = time.monotonic()
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout)
        self.wait_idle(title, timeout)
        return time.monotonic() - started

    def wait_idle(self, title: str | None = None, timeout: float = 30_000) -> None:
        if title:
            self.page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout)
        self.page.wait_for_function(
            "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
            " return !s || !s.innerText.match(/Running|Exécution/); }", timeout=timeout)
        self.page.wait_for_timeout(300)
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"] [data-testid=\"stStatusWidgetRunningIcon\"]')"
            " && !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout)

    def metric(self, label: str) -> str:
        box = self.page.locator('[data-testid="stMetric"]').filter(
            has=self.page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
        return box.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def close(self) -> None:
        self.context.close()
        self.browser.close()
