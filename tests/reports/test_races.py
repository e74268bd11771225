"""Two saves or steps of the same annual report at once: one change, the other a 409 page with
the typed text and the current version, never a 500."""

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from tests.races import kept_panel, meet_inside, needs_postgresql, together, versions

from .conftest import YEAR

PAGE = f"/reports/annual/{YEAR}"
TEXT = "Skolu kavējumi pieaug, vajag agrīnu iesaisti"


@pytest.fixture
def report(people):
    started = ops.start_report(people["coordinator"], YEAR)
    db.session.commit()
    return started


def _report() -> AnnualReport:
    db.session.expire_all()
    return db.session.scalar(select(AnnualReport))


def _login(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


@pytest.mark.parametrize("version", ["", None])
def test_an_empty_narrative_version_is_refused_like_a_stale_one(client, people, report,
                                                                version):
    client.login(people["coordinator"].email)
    data = {"challenges": TEXT} if version is None else {"challenges": TEXT, "version": version}
    response = client.post_form(f"{PAGE}/narrative", data, token_from=PAGE)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert TEXT in kept_panel(html) and versions(html) == {str(report.version)}
    assert _report().challenges is None


def test_two_narrative_saves_at_once_give_one_save_and_one_409_with_the_text(
        app, people, report, monkeypatch):
    needs_postgresql()
    version = report.version
    clients = [_login(app, people["coordinator"]), _login(app, people["coordinator"])]
    tokens = [c.csrf_token(PAGE) for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    texts = [f"{TEXT} ({i})" for i in range(2)]
    responses = together(*[
        lambda i=i: clients[i].post(f"{PAGE}/narrative", data={
            "csrf_token": tokens[i], "challenges": texts[i], "version": str(version)})
        for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    html = responses[loser].get_data(as_text=True)
    assert texts[loser] in kept_panel(html)
    assert versions(html) == {str(_report().version)} != {str(version)}
    assert _report().challenges == texts[1 - loser]


def test_two_steps_at_once_give_one_step_and_one_409(app, people, report, monkeypatch):
    needs_postgresql()
    version = report.version
    clients = [_login(app, people["coordinator"]), _login(app, people["coordinator"])]
    tokens = [c.csrf_token(PAGE) for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    responses = together(*[
        lambda i=i: clients[i].post(f"{PAGE}/transition", data={
            "csrf_token": tokens[i], "trigger": "submit_for_review", "version": str(version)})
        for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    html = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert 'name="trigger" value="submit_for_review"' in kept_panel(html)
    assert versions(html) == {str(_report().version)}
    assert _report().status == "in_review"
