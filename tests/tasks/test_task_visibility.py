"""A task loads through the same visibility as its group, case or meeting (issue 17).

A strategic group's tasks are seen by its members, its lead and the coordinators; an
administrator, a data protection officer, a colleague of the assignee and anyone of another
municipality get 404 on the page and on every POST, and see the task in no list.
"""

from __future__ import annotations

import pytest

from casework.extensions import db
from casework.tasks import queries
from casework.tasks.models import Task
from tests.decisions.conftest import today

MEETING_TITLE = "Stratēģiskais sanāksmes uzdevums"
DECISION_TITLE = "Stratēģiskais lēmuma uzdevums"


@pytest.fixture
def world(make_user, make_institution, make_municipality, make_group, make_meeting,
          make_decision, make_task, municipality):
    administration = make_institution("other", name="Pašvaldības administrācija")
    school = make_institution("school", name="Skola")
    social = make_institution("social_service", name="Sociālais dienests")
    w = {
        "coordinator": make_user("coordinator", institution=administration),
        "assignee": make_user("specialist", institution=administration, full_name="Ierēdne"),
        "member": make_user("specialist", institution=school, full_name="Direktore"),
        # The probe of issue 17: every role of the municipality who is not in the group...
        "admin": make_user("admin", institution=administration),
        "auditor": make_user("auditor", institution=administration),
        "colleague": make_user("specialist", institution=administration),
        "school_colleague": make_user("specialist", institution=school),
        "case_manager": make_user("case_manager", institution=social),
        "head_of_service": make_user("head_of_service", institution=administration),
        "inspector": make_user("inspector"),
    }
    # ...and of a second municipality, with the same kinds of institution.
    other = make_municipality()
    far_admin = make_institution("other", municipality=other, name="Cita administrācija")
    w["far_coordinator"] = make_user("coordinator", institution=far_admin)
    w["far_admin"] = make_user("admin", institution=far_admin)
    w["far_auditor"] = make_user("auditor", institution=far_admin)
    group = make_group(members=[w["assignee"], w["member"]], lead=w["coordinator"])
    meeting = make_meeting(group)
    decision = make_decision(group, meeting=meeting)
    w["tasks"] = {
        "meeting": make_task(w["assignee"], title=MEETING_TITLE, meeting=meeting,
                             created_by=w["coordinator"]),
        "decision": make_task(w["assignee"], title=DECISION_TITLE, decision=decision,
                              created_by=w["coordinator"]),
    }
    return w


OUTSIDERS = ["admin", "auditor", "colleague", "school_colleague", "case_manager",
             "head_of_service", "inspector", "far_coordinator", "far_admin", "far_auditor"]
INSIDERS = ["coordinator", "assignee", "member"]


@pytest.mark.parametrize("kind", ["meeting", "decision"])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_strategic_group_task_is_404_on_page_and_every_post_for_non_members(
        client, world, who, kind):
    task = world["tasks"][kind]
    client.login(world[who].email)
    page = f"/tasks/{task.id}"
    assert client.get(page).status_code == 404
    assert client.post_form(f"{page}/complete", {"note": "Izdarīts", "version": task.version},
                            token_from="/").status_code == 404
    assert client.post_form(f"{page}/cancel", {"reason": "Nevajag", "version": task.version},
                            token_from="/").status_code == 404
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "open"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_strategic_group_tasks_are_in_no_list_of_non_members(client, world, who):
    user = world[who]
    for stmt in (queries.my_tasks(user, today=today(), status="all"),
                 queries.institution_tasks(user, today=today(), status="all")):
        titles = [t.title for t, _overdue in db.session.execute(stmt)]
        assert MEETING_TITLE not in titles and DECISION_TITLE not in titles
    client.login(user.email)
    for path in ("/tasks?status=all", "/tasks/institution?status=all", "/"):
        html = client.get(path).get_data(as_text=True)
        assert MEETING_TITLE not in html and DECISION_TITLE not in html, path


@pytest.mark.parametrize("kind", ["meeting", "decision"])
@pytest.mark.parametrize("who", INSIDERS)
def test_strategic_group_task_is_seen_by_its_members_lead_and_coordinator(
        client, world, who, kind):
    task = world["tasks"][kind]
    client.login(world[who].email)
    response = client.get(f"/tasks/{task.id}")
    assert response.status_code == 200
    assert task.title in response.get_data(as_text=True)


def test_former_member_no_longer_sees_the_group_task(client, world):
    from casework.db_types import utcnow
    from casework.groups.models import GroupMember

    membership = db.session.query(GroupMember).filter_by(user_id=world["member"].id).one()
    membership.member_to = utcnow()
    db.session.commit()
    client.login(world["member"].email)
    assert client.get(f"/tasks/{world['tasks']['meeting'].id}").status_code == 404
