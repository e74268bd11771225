"""``flask --app casework scheduler`` and ``flask --app casework run-due-jobs``."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from workflows.policy import RIGA


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO date and time") from error
    # A time without an offset is Latvian time.
    return moment if moment.tzinfo else moment.replace(tzinfo=RIGA)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs until stopped (run exactly one such process)."""
    from casework.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.trigger}")
    click.echo("Scheduler started (Europe/Riga); stop with Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.command("run-due-jobs")
@click.option("--now", "now_text", default=None,
              help="Run as if it were this time (ISO, Latvian time without an offset).")
@click.option("--job", "job_ids", multiple=True, help="Run only this job (repeatable).")
@with_appcontext
def run_due_jobs_command(now_text: str | None, job_ids: tuple[str, ...]) -> None:
    """Run every sweep once and exit (for cron or tests)."""
    from casework.db_types import utcnow
    from casework.jobs.sweeps import JOBS, JOBS_BY_ID, run_job

    unknown = [j for j in job_ids if j not in JOBS_BY_ID]
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(unknown)}", param_hint="--job")
    now = _parse_now(now_text) or utcnow()
    for job in JOBS:
        if job_ids and job.id not in job_ids:
            continue
        click.echo(f"{job.id}: {run_job(job.id, now)}")


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_due_jobs_command)
