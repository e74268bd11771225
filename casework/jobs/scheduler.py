"""The scheduler process: APScheduler 3's ``BlockingScheduler`` running the sweeps of
``casework.jobs.sweeps.JOBS`` on cron triggers in Europe/Riga time.

Run exactly one (``flask --app casework scheduler``); the sweeps are idempotent, so a second one
started by mistake sends nothing twice. Jobs that missed their time while the process was down
run once when it is back (``coalesce``), never two at once (``max_instances=1``).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from casework.jobs.sweeps import JOBS, run_job

TIMEZONE = "Europe/Riga"
log = logging.getLogger("casework.scheduler")


def _run_in_app(app, job_id: str) -> None:
    with app.app_context():
        try:
            count = run_job(job_id)
        except Exception:
            log.exception("Job %s failed", job_id)
            return
        if count:
            log.info("Job %s: %s", job_id, count)


def build_scheduler(app) -> BlockingScheduler:
    """A scheduler with every job added (not started)."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    for job in JOBS:
        scheduler.add_job(_run_in_app, CronTrigger(timezone=TIMEZONE, **job.cron),
                          args=[app, job.id], id=job.id, name=job.description,
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=3600)
    return scheduler
