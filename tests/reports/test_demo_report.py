"""The demo's report on last year: a draft with every section filled."""

from sqlalchemy import select

from casework.extensions import db
from casework.orgs.models import Municipality
from casework.reports import indicators
from casework.reports.models import AnnualReport


def test_demo_has_a_draft_report_on_last_year_with_every_section_filled(app_ctx, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    report = db.session.scalar(select(AnnualReport))
    assert report.status == "draft"
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
