"""The `radar` command line: one module per command (cli/<command>.py, a click command named `command`)."""

from __future__ import annotations

from cli.startup import imports_frozen, skip_collection_at_exit

with imports_frozen():
    import click

    from cli import api, backfill, dashboard, demo, news, report, run, serve, sql
    from cli import eval as eval_
    from cli.common import UserError
    from extractors.http import install_log_redaction
    from radar import __version__
    from radar.errors import RadarError


class RadarGroup(click.Group):
    """A user's error a command did not catch itself (a territory file read before its guard) is still one line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RadarError as exc:
            raise UserError(str(exc)) from None


@click.group(cls=RadarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="radar")
def main() -> None:
    """Ecosystem Radar: the tech companies of a territory, month by month, from public registries.

    Typical use: `radar demo` on the bundled offline data; `radar run` on a real monthly SIRENE stock;
    `radar report` and `radar sql` on the published snapshot.
    """
    # Once per process, before any command logs: secrets (API keys) become "***" in every log record.
    install_log_redaction()


skip_collection_at_exit()
for _module in (demo, run, sql, api, news, report, serve, backfill, dashboard, eval_):
    main.add_command(_module.command)


if __name__ == "__main__":
    main()
