"""The demo's reports: last year's with every section filled (a draft in the reporting season,
accepted after it) and, after the season, this year's draft."""

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from casework.extensions import db
from casework.orgs.models import Municipality
from casework.reports import indicators
from casework.reports.models import AnnualReport


@time_machine.travel(datetime(2026, 2, 10, 9, 0, tzinfo=UTC), tick=False)
def test_in_the_season_the_demo_has_a_draft_report_on_last_year_with_every_section_filled(
        app_ctx, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    report = db.session.scalar(select(AnnualReport))
    assert report.status == "draft" and report.year == 2025
    assert all((report.challenges, report.directions, report.conclusions,
                report.state_proposals))
    figs = indicators.compute(db.session.scalar(select(Municipality)), report.year)
    assert figs["A"]["members"] > 0 and figs["A"]["composition"]
    assert figs["B"]["meetings_held"] > 0 and figs["B"]["decisions"]["total"] > 0
    assert figs["B"]["supervision_sessions"] > 0
    c = figs["C"]
    assert c["cases"]["examined"] > 0 and c["closed"]["total"] > 0 and c["meetings_held"] > 0
    assert c["escalations_to_red"]["events"] > 0 and c["tasks"]["issued"] > 0
    assert c["triage"]["triaged"] > 0 and c["client_participation"]["decisions"] > 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert len(db.session.scalars(select(AnnualReport)).all()) == 1


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
def test_after_the_season_last_years_demo_report_is_accepted_and_this_years_is_a_draft(
        app_ctx, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    reports = {r.year: r for r in db.session.scalars(select(AnnualReport))}
    assert set(reports) == {2025, 2026}
    last = reports[2025]
    assert last.status == "accepted" and last.snapshot and last.schema_version
    assert last.submitted_at < datetime(2026, 3, 31, tzinfo=UTC)
    assert reports[2026].status == "draft" and reports[2026].challenges
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert len(db.session.scalars(select(AnnualReport)).all()) == 2
