"""What every command shares: the common options, the one-line error, and how a flow is started and guarded."""

from __future__ import annotations

from pathlib import Path

import click

from radar.config import DEFAULT_WORKDIR
from radar.errors import RadarError

workdir_option = click.option(
    "--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR, show_default=True,
    help="Working directory: warehouse, published snapshot, landing zone, cache and reports.")
territory_option = click.option(
    "--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Territory TOML file (default: territories/gpso.toml, Grand Paris Seine Ouest).")
verbose_option = click.option("--verbose", "-v", is_flag=True, help="Show Prefect's logs and full error details.")


class UserError(click.ClickException):
    """One clear line on stderr, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"radar: error: {self.message}", err=True)


def run_guarded(fn, verbose: bool):
    """`fn()`, with any error as one line (a user's error as it is, a bug with its type) unless `verbose`."""
    try:
        return fn()
    except (RadarError, FileNotFoundError) as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:
        if verbose:
            raise
        raise UserError(f"{type(exc).__name__}: {exc} (run with --verbose for details; the run ledger "
                        f"records the failure)") from None


def start_prefect(workdir: Path, verbose: bool) -> None:
    from cli.startup import import_frozen
    from flows.runtime import configure_prefect, without_heartbeats

    configure_prefect(workdir, verbose=verbose)
    # fastapi.encoders: the flow engine's parameter encoder, imported at the first flow run otherwise
    import_frozen("prefect.flow_engine", "prefect.task_engine", "fastapi.encoders")
    without_heartbeats()


def territory_arg(territory_file: Path | None) -> str | None:
    """A territory file as a flow parameter (flows take strings; None means the default territory)."""
    return str(territory_file) if territory_file else None


def pick_territory(workdir: Path, territory: str | Path | None) -> tuple[Path, Path | None]:
    """The working directory and territory file a command reads: in a multi-territory working directory, the
    folder of the territory `territory` names (a slug it holds, or a file whose slug it holds) and the copy of its
    file; elsewhere, `workdir` and `territory` as a territory file (None: the default one)."""
    from radar.territories import choose_territory, is_multi_territory, territory_file

    if not is_multi_territory(workdir):
        return workdir, Path(territory) if territory else None
    try:
        slug = choose_territory(workdir, str(territory) if territory else None)
    except RadarError as exc:
        raise UserError(str(exc)) from None
    return workdir / slug, territory_file(workdir, slug)

