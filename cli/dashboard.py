"""`radar dashboard`: serve the web dashboard (Streamlit) on the published snapshot, on localhost by default."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.common import UserError, pick_territory
from radar.config import DEFAULT_WORKDIR, ConfigError, Territory, Workdir, load_territory

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


TILES_ENV, ATTRIBUTION_ENV = "RADAR_DASHBOARD_TILES", "RADAR_DASHBOARD_TILES_ATTRIBUTION"


def tile_settings(territory: Territory, environ: dict[str, str]) -> dict[str, str]:
    """Base tiles of the map: $RADAR_DASHBOARD_TILES if set (`none` disables), else the territory's
    `[dashboard] tiles` and `tiles_attribution`; nothing configured means no tiles."""
    from dashboard.tiles import parse_tile_source

    section = territory.raw.get("dashboard", {})
    template = environ.get(TILES_ENV, section.get("tiles", "none"))
    attribution = environ.get(ATTRIBUTION_ENV, section.get("tiles_attribution", ""))
    where = f"${TILES_ENV}" if TILES_ENV in environ else f"{territory.source_file}: [dashboard] tiles"
    try:
        source = parse_tile_source(str(template), str(attribution))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return {TILES_ENV: source.template if source else "none", ATTRIBUTION_ENV: source.attribution if source else ""}


def streamlit_argv(snapshot: Path, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The Streamlit command line and environment: no usage statistics, no file watching, no version check."""
    argv = [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--global.developmentMode", "false",
            "--client.toolbarMode", "viewer", "--client.showErrorDetails", "false",
            "--server.enableStaticServing", "false", "--theme.base", "light"]
    env = dict(os.environ)
    # Streamlit puts the script's folder on sys.path, not the project's: make `import dashboard` work either way.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP.parents[1]), env.get("PYTHONPATH")) if p)
    env.update({"RADAR_DASHBOARD_SNAPSHOT": str(snapshot.resolve()),
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "STREAMLIT_SERVER_HEADLESS": "true"})
    return argv, env


@click.command("dashboard")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True, help="Working directory whose published snapshot the dashboard reads.")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep the default and put a reverse proxy with authentication in front "
                   "(see docs/dashboard.md): the dashboard lists companies in difficulty.")
@click.option("--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE|SLUG", help="Territory TOML file whose [dashboard] section sets the map's base tiles "
                                        "(default: territories/gpso.toml). In a multi-territory working directory: "
                                        "the SLUG of the territory to show.")
def command(workdir: Path, port: int, host: str, territory_file: Path | None) -> None:
    """Serve the web dashboard (in French) on the published snapshot, read-only; a newer snapshot is picked up
    without a restart."""

    workdir, territory_file = pick_territory(workdir, territory_file)
    snapshot = Workdir(workdir).published
    if not snapshot.is_file():
        raise UserError(f"no published snapshot at {snapshot}: run 'radar demo' or 'radar run' first")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise UserError("the dashboard needs Streamlit: pip install 'streamlit==1.67.0'") from None
    argv, env = streamlit_argv(snapshot, host, port)
    try:
        env.update(tile_settings(load_territory(territory_file), env))
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    click.echo(f"dashboard: http://{host}:{port}/ (snapshot {snapshot}); Ctrl-C to stop", err=True)
    sys.stdout.flush()
    os.execve(argv[0], argv, env)
