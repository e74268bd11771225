"""The start page per role (issue 4.6): overdue tasks, meetings in the next 14 days, red cases
whose group has not met within policy, minutes waiting for approval, decisions past due, each
only for the roles it concerns and only with what the user may see."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from casework.db_types import utcnow
from casework.extensions import db
from casework.main.dashboard import build_dashboard
from casework.tasks.models import Task


@pytest.fixture
def dashboard_of(app):
    """``dashboard_of(user)`` → {section key: Section} at the frozen time."""

    def build(user):
        with app.test_request_context():
            return {s.key: s for s in build_dashboard(user, utcnow())}

    return build


def convene_task(case) -> Task:
    return db.session.scalar(select(Task).where(Task.case_id == case.id))


def hrefs(section) -> list[str]:
    return [row.href for row in section.rows]


def expected_for(w, who):
    t = lambda x: f"/tasks/{x.id}"  # noqa: E731
    m = lambda x: f"/meetings/{x.id}"  # noqa: E731
    c = lambda x: f"/cases/{x.id}"  # noqa: E731
    d = lambda x: f"/decisions/{x.id}"  # noqa: E731
    return {
        "manager": {
            "referrals_to_triage": [],
            "reviews_due": [],
            "my_overdue_tasks": [t(convene_task(w.late_red))],
            "upcoming_meetings": [m(w.case_meeting)],
            "red_cases": [c(w.late_red)],
            "minutes_waiting": [m(w.case_minutes)],
            "decisions_past_due": [d(w.case_decision)],
        },
        "head": {
            "reviews_due": [],
            "report_awaiting_approval": [],
            "caseload_over_band": [],
            "my_overdue_tasks": [],
            "institution_overdue_tasks": [t(convene_task(w.late_red)),
                                          t(convene_task(w.other_late))],
            "upcoming_meetings": [m(w.case_meeting), m(w.other_case_meeting)],
            "red_cases": sorted([c(w.late_red), c(w.other_late)]),
            "minutes_waiting": [m(w.case_minutes)],
            "decisions_past_due": [d(w.case_decision), d(w.other_decision)],
        },
        "coordinator": {
            "annual_report": ["/reports/annual/2025"],
            "my_overdue_tasks": [],
            "institution_overdue_tasks": [t(w.colleague_task)],
            "upcoming_meetings": [m(w.strategic_meeting)],
            "municipality_red_cases": 2,
            "minutes_waiting": [m(w.old_minutes), m(w.fresh_minutes)],
            "decisions_past_due": [d(w.strategic_decision)],
        },
        "member": {
            "my_overdue_tasks": [t(w.member_task)],
            "upcoming_meetings": [m(w.strategic_meeting)],
            "decisions_past_due": [d(w.strategic_decision)],
        },
        "outsider": {
            "my_overdue_tasks": [],
            "upcoming_meetings": [],
            "decisions_past_due": [],
        },
    }[who]


@pytest.mark.parametrize("who", ["manager", "head", "coordinator", "member", "outsider"])
def test_each_role_gets_its_sections_with_exactly_what_it_may_see(late_world, dashboard_of,
                                                                  who):
    sections = dashboard_of(getattr(late_world, who))
    expected = expected_for(late_world, who)
    assert set(sections) == set(expected)
    for key, want in expected.items():
        if isinstance(want, int):
            assert sections[key].count_only == want
            assert sections[key].rows == []
        elif key == "red_cases":
            assert sorted(hrefs(sections[key])) == want, key
        else:
            assert hrefs(sections[key]) == want, key


@pytest.mark.parametrize(("role", "keys"), [
    ("admin", set()),
    ("auditor", {"flagged_accesses"}),
    ("inspector", {"reports_waiting", "overdue_municipalities"}),
])
def test_admin_has_no_queue_auditor_and_inspector_get_their_own(late_world, make_user,
                                                                 dashboard_of, role, keys):
    assert set(dashboard_of(make_user(role))) == keys


def test_only_late_minutes_are_marked_late(late_world, dashboard_of):
    rows = dashboard_of(late_world.coordinator)["minutes_waiting"].rows
    assert [(row.href, row.late) for row in rows] == [
        (f"/meetings/{late_world.old_minutes.id}", True),
        (f"/meetings/{late_world.fresh_minutes.id}", False)]
    assert "17.11.2026" in rows[0].note


def test_red_case_row_names_the_deadline_after_the_holiday(late_world, dashboard_of):
    (row,) = dashboard_of(late_world.manager)["red_cases"].rows
    assert row.text == late_world.late_red.number
    assert row.late and "19.11.2026" in row.note


def test_invitations_are_pointed_out_among_the_upcoming_meetings(late_world, dashboard_of):
    (row,) = dashboard_of(late_world.manager)["upcoming_meetings"].rows
    assert row.note is not None
    (row,) = dashboard_of(late_world.head)["upcoming_meetings"].rows[:1]
    assert row.note is None


def test_a_removed_member_no_longer_sees_the_case_on_the_start_page(
        late_world, dashboard_of, frozen):
    from casework.cases import operations as case_ops

    outsider = late_world.outsider
    member = case_ops.add_group_member(late_world.manager, late_world.case, outsider)
    db.session.commit()
    assert hrefs(dashboard_of(outsider)["upcoming_meetings"]) == \
        [f"/meetings/{late_world.case_meeting.id}"]
    frozen.shift(60)
    case_ops.remove_group_member(late_world.manager, late_world.case, member.id)
    db.session.commit()
    assert hrefs(dashboard_of(outsider)["upcoming_meetings"]) == []


def _statements(app, user) -> int:
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            build_dashboard(user, utcnow())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_dashboard_does_not_query_once_per_row(app, late_world, make_case, make_meeting,
                                                   make_decision, case_group_of):
    from datetime import date

    from tests.main.conftest import riga

    head = late_world.head
    db.session.expire_all()
    few = _statements(app, head)
    for day in (16, 17):
        case = make_case(risk="red", at=riga(2026, 11, day - 5, 10, 0))
        make_meeting(case_group_of(case), riga(2026, 11, 23, 9, 0))
        make_meeting(case_group_of(case), riga(2026, 11, 10, 9, 0), status="held")
        make_decision(case_group_of(case), date(2026, 11, 1))
    db.session.expire_all()
    assert _statements(app, head) == few


# -- the page ---------------------------------------------------------------------------------
def test_start_page_shows_sections_counts_and_links(client, late_world):
    client.login(late_world.manager.email)
    html = client.get("/").get_data(as_text=True)
    for key in ("my_overdue_tasks", "upcoming_meetings", "red_cases", "minutes_waiting",
                "decisions_past_due"):
        assert f'id="dash-{key}"' in html
    assert 'id="dash-institution_overdue_tasks"' not in html
    assert f'href="/cases/{late_world.late_red.id}"' in html
    assert f'href="/decisions/{late_world.case_decision.id}"' in html
    # No panel repeats the navigation.
    assert 'class="cards"' not in html


def test_start_page_does_not_leak_cases_the_user_cannot_see(client, late_world):
    client.login(late_world.manager.email)
    html = client.get("/").get_data(as_text=True)
    assert late_world.other_late.number not in html
    assert late_world.other_case.number not in html
    assert f"/meetings/{late_world.other_case_meeting.id}" not in html
    assert f"/decisions/{late_world.other_decision.id}" not in html


def test_coordinator_sees_a_count_of_red_cases_without_numbers_or_links(client, late_world):
    client.login(late_world.coordinator.email)
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="dash-municipality_red_cases"')
    block = html[start:html.index("</section>", start)]
    assert "2" in block
    assert "<a " not in block
    for case in (late_world.late_red, late_world.other_late, late_world.case):
        assert case.number not in html
        assert f"/cases/{case.id}" not in html
    assert "Apmeklēt ģimeni" not in html


def test_empty_sections_say_so(client, world, lv):
    client.login(world.outsider.email)
    html = client.get("/").get_data(as_text=True)
    assert lv("You have no overdue tasks.") in html
    assert lv("No meetings in the next 14 days.") in html


def test_admin_start_page_has_no_queue_and_says_so(client, login_as, lv):
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    assert 'id="dash-' not in html
    assert 'class="cards"' not in html
    assert lv("Nothing is waiting for you here: use the menu above for your work.") in html


def test_the_start_page_reads_the_groups_a_user_may_see_as_group_content_visibility_does(
        app, world):
    """``visible_group_ids`` (the union read from indexes) gives exactly the groups of
    ``group_content_visibility`` (the OR), for every user of the world."""
    from sqlalchemy import select

    from casework.auth.models import User
    from casework.extensions import db
    from casework.groups.models import CooperationGroup
    from casework.groups.queries import group_content_visibility, visible_group_ids

    with app.test_request_context():
        users = db.session.scalars(select(User)).all()
        assert len(users) > 5
        seen = set()
        for user in users:
            expected = set(db.session.scalars(
                select(CooperationGroup.id).where(group_content_visibility(user))))
            assert set(visible_group_ids(user)) == expected, user.email
            seen |= expected
        assert seen, "the world has groups someone may see"
