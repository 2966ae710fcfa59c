"""`radar report`: render the month's report (HTML, PDF, annexes) and, with --send, deliver it once."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import UserError, pick_territory, run_guarded, start_prefect
from cli.territories import dask_address_option, echo_outcomes, fail_if_any, run_fanned_out, workers_option
from radar.config import DEFAULT_WORKDIR


@click.command("report")
@click.option("--month", metavar="YYYY-MM", default=None, help="Month of the report [default: latest loaded].")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_WORKDIR,
              show_default=True, help="Working directory (warehouse, snapshot, reports, outbox).")
@click.option("--territory", "territory_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE|SLUG", help="Territory TOML file (default: territories/gpso.toml); [report] recipients = "
                                        "[...]. In a multi-territory working directory: the SLUG of one territory.")
@click.option("--send", is_flag=True,
              help="E-mail the report (SMTP from RADAR_SMTP_* variables, else an .eml in DIR/outbox/). "
                   "A month is sent once.")
@click.option("--resend", is_flag=True, help="Send again a month already sent (implies --send).")
@click.option("--all", "all_", is_flag=True,
              help="Every territory of a multi-territory working directory, each its own report (a month already "
                   "sent is skipped).")
@workers_option
@dask_address_option
@click.option("--verbose", "-v", is_flag=True, help="Full error details.")
def command(month, workdir, territory_file, send, resend, all_, workers, dask_address, verbose) -> None:
    """Render the monthly report into DIR/reports/YYYY-MM/ (report.html, report.pdf, CSV and XLSX annexes) from
    the published snapshot; with --send, deliver it. Renderings and sendings are recorded in the warehouse."""
    from radar.config import Workdir, load_territory
    from radar.months import validate_month
    from reports.email import DeliveryError

    if all_:
        return report_all(workdir, run_guarded(lambda: validate_month(month), verbose), send or resend, resend,
                          workers, dask_address, verbose)
    if workers or dask_address:
        raise UserError("--workers and --dask-address spread the territories of --all")

    workdir, territory_file = pick_territory(workdir, territory_file)

    def go():
        from reports.render import ReportError, latest_month
        from steps import report as steps
        from steps.common import publish

        wd = Workdir(workdir)
        territory = load_territory(territory_file)
        chosen = validate_month(month) or latest_month(wd.published)
        steps.check_month_loaded(wd, chosen)
        if send and not resend:
            steps.check_not_sent(wd, chosen)
        if steps.prepare_introductions(wd, territory, chosen) is not None \
                or not steps.snapshot_has_introductions(wd, chosen):
            publish(wd, territory)
        rendered = steps.produce_report(wd, territory, chosen)
        try:
            sent = steps.send_report(wd, territory, rendered, resend=resend) if (send or resend) else None
        except DeliveryError as exc:
            raise ReportError(f"report of {chosen} rendered but NOT sent (recorded as failed; run again with "
                              f"--send to retry): {exc}") from None
        return rendered, sent

    rendered, sent = run_guarded(go, verbose)
    click.echo(f"report: {rendered.html}")
    click.echo(f"pdf:    {rendered.pdf}")
    click.echo(f"annexes: {', '.join(p.name for p in rendered.annexes)}")
    if sent:
        click.echo(f"sent:   {sent['recipients']} recipient(s) via {sent['transport']} ({sent['where']})")


def report_all(workdir: Path, month: str | None, send: bool, resend: bool, workers, address, verbose: bool) -> None:
    from radar.territories import is_multi_territory

    if not is_multi_territory(workdir):
        raise UserError(f"{workdir} is not a multi-territory working directory: --all needs one")
    start_prefect(workdir, verbose)
    from flows.every_territory import reports_for_territories
    result = run_fanned_out(reports_for_territories, {"workdir": str(workdir), "month": month, "send_it": send,
                                                      "resend": resend}, workers, address, verbose)
    echo_outcomes(result["territories"], lambda o: f"{o['month']}  {o['report']}" + (
        f"  ({o['sent']['skipped']})" if o["status"] == "skipped" else ""))
    fail_if_any(result["territories"], workdir, "the report")

