"""A small but complete data set in one municipality, for tests that visit every page.

``build_world(atvk)`` creates, through the service layer: one user of every municipal role, a
case with its interprofessional group (a specialist member, a person, a note, a participation
record, a task), an untriaged referral, a strategic group with members, a planned meeting
(agenda goal, decision and task drafts, invitations), a past meeting whose minutes are approved
(a published decision and an issued task), an interprofessional meeting, an annual report that
has been submitted, a draft for another year, a calendar feed, a personal API token and
notifications. It returns the ids a URL needs, by the name of the URL's parameter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from casework.auth.models import User
from casework.calendars import operations as feeds
from casework.cases import operations as cases
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups import operations as groups
from casework.groups.models import CooperationGroup, Decision, GroupMember
from casework.notifications.models import Notification
from casework.orgs.models import Institution, Municipality
from casework.reports import operations as reports
from casework.tasks import operations as tasks
from casework.tasks.models import Task
from workflows.policy import local_date

PASSWORD = "test-parole-123"
MUNICIPAL_ROLES = ("admin", "coordinator", "head_of_service", "case_manager", "specialist",
                   "auditor")


def _user(role: str, institution: Institution, tag: str) -> User:
    user = User(email=f"{role}.{tag}@example.lv", full_name=f"{role} {tag}",
                institution=institution, active=True)
    user.roles = [role]
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def inspector() -> User:
    """The national authority's inspector (no municipality)."""
    user = User(email="inspector.world@example.lv", full_name="Inspektore", active=True)
    user.roles = ["inspector"]
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def build_world(atvk: str, tag: str) -> dict:
    """Build the data set of one municipality; returns its logins and ids (see module doc)."""
    muni = Municipality(name=f"Pasaules novads {tag}", atvk_code=atvk)
    db.session.add(muni)
    db.session.flush()
    inst = {kind: Institution(municipality_id=muni.id, kind=kind, name=f"{kind} {tag}")
            for kind in ("social_service", "school", "other")}
    db.session.add_all(inst.values())
    db.session.flush()
    where = {"admin": "other", "coordinator": "other", "auditor": "other",
             "head_of_service": "social_service", "case_manager": "social_service",
             "specialist": "school"}
    users = {role: _user(role, inst[where[role]], tag) for role in MUNICIPAL_ROLES}
    # Someone the administrator may deactivate or reset without locking a tester out.
    victim = _user("specialist", inst["school"], f"{tag}.victim")
    db.session.flush()
    manager, coordinator, specialist = (users["case_manager"], users["coordinator"],
                                        users["specialist"])
    head = users["head_of_service"]
    now = utcnow().replace(microsecond=0)
    today = local_date(now)

    case = cases.open_case(manager, municipality_id=muni.id, risk="yellow",
                           categories=("neglect",), case_manager=manager,
                           owner_institution_id=manager.institution_id,
                           child={"given_name": "Anna", "family_name": "Bērziņa",
                                  "personal_code": None, "birth_date": date(2015, 5, 4)})
    case_member = cases.add_group_member(manager, case, specialist, "skolotāja")
    person = cases.add_person(manager, case, role="parent", given_name="Inese",
                              family_name="Bērziņa", personal_code=None, birth_date=None)
    cases.add_note(manager, case, level="group", text="Piezīme.")
    cases.add_participation(manager, case, subject="Plāns", person_id=person.id,
                            decision_id=None, informed=True, informed_on=today,
                            method="phone", opinion="Piekrīt.", attended=False)
    case_task = tasks.create_task(manager, title="Apmeklēt ģimeni", description=None,
                                  assignee=specialist, due_date=today + timedelta(days=7),
                                  case=case)
    referral = cases.file_referral(specialist, child_given_name="Jānis",
                                   child_family_name="Kalniņš", child_personal_code=None,
                                   child_birth_date=None, categories=["school_absence"],
                                   description="Neapmeklē skolu.", proposed_urgency="yellow")

    group = groups.create_strategic_group(coordinator, name=f"Grupa {tag}", lead=coordinator)
    members = [groups.add_member(coordinator, group, u) for u in (head, manager, specialist)]
    invite = [u.id for u in (head, manager, specialist)]

    past = groups.plan_meeting(coordinator, group, starts_at=now - timedelta(days=20),
                               ends_at=now - timedelta(days=20, hours=-2), invite_ids=invite)
    groups.add_agenda_item(coordinator, past, kind="goal", text="Mērķis")
    groups.add_decision(coordinator, past, kind="decision", text="Lēmums",
                        responsible_institution_id=inst["school"].id,
                        due_date=today + timedelta(days=30))
    groups.add_task(coordinator, past, title="Uzdevums", assignee=specialist,
                    due_date=today + timedelta(days=10))
    groups.record_attendance(coordinator, past, {uid: "attended" for uid in invite})
    groups.mark_held(coordinator, past)
    groups.save_minutes(coordinator, past, minutes="Protokols.")
    groups.approve_minutes(coordinator, past)

    planned = groups.plan_meeting(coordinator, group, starts_at=now + timedelta(days=5),
                                  ends_at=now + timedelta(days=5, hours=2), invite_ids=invite,
                                  online_link="https://meet.example.lv/abc")
    item = groups.add_agenda_item(coordinator, planned, kind="goal", text="Mērķis")
    draft = groups.add_decision(coordinator, planned, kind="decision", text="Projekts",
                                agenda_item_id=item.id)
    draft_task = groups.add_task(coordinator, planned, title="Melnraksts", assignee=specialist,
                                 due_date=today + timedelta(days=20), decision_id=draft.id)

    case_group = cases.case_group(case)
    case_meeting = groups.plan_meeting(manager, case_group, starts_at=now + timedelta(days=2),
                                       ends_at=now + timedelta(days=2, hours=1),
                                       invite_ids=[specialist.id])
    groups.add_agenda_item(manager, case_meeting, kind="goal", text="Drošības plāns")

    # The case file's own objects: an assessment, a support plan goal and a document.
    import io

    from casework.documents.operations import add_document
    from casework.plans import operations as plans
    from workflows.support_plan import AREAS

    assessment = plans.save_assessment(manager, case, ratings={a: 1 for a in AREAS},
                                       texts={a: "Vērtējums." for a in AREAS})
    document = add_document(manager, stream=io.BytesIO(
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), filename="atzinums.pdf",
        level="group", case=case)

    last_year = today.year - 1
    report = reports.start_report(coordinator, last_year)
    reports.transition(coordinator, report, "submit_for_review")
    reports.transition(head, report, "approve")
    reports.transition(coordinator, report, "submit")
    reports.start_report(coordinator, today.year)
    feed = feeds.create_or_rotate_feed(coordinator)
    from casework.api.tokens import create_token

    api_token, _secret = create_token(specialist, name="DVS", scope="read", days=30)
    db.session.commit()

    published = db.session.scalar(select(Decision).where(Decision.meeting_id == past.id))
    issued = db.session.scalar(select(Task).where(Task.meeting_id == past.id))
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == specialist.id).order_by(Notification.id))
    strategic_member = db.session.scalar(select(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.user_id == specialist.id))
    assert published.published_at is not None and issued.issued_at is not None
    return {
        "atvk": atvk,
        "logins": {role: u.email for role, u in users.items()},
        "user_ids": {role: u.id for role, u in users.items()},
        "ids": {
            "atvk": atvk, "case_id": case.id, "referral_id": referral.id, "group_id": group.id,
            "case_group_id": case_group.id, "meeting_id": planned.id,
            "past_meeting_id": past.id, "case_meeting_id": case_meeting.id,
            "item_id": item.id, "draft_decision_id": draft.id, "decision_id": published.id,
            "draft_task_id": draft_task.id, "task_id": issued.id, "case_task_id": case_task.id,
            "case_member_id": case_member.id, "member_id": strategic_member.id,
            "institution_id": inst["school"].id, "user_id": victim.id,
            "notification_id": notification.id, "person_id": person.id,
            "assessment_id": assessment.id, "document_id": document.id,
            "year": last_year, "draft_year": today.year, "token": feed.token,
            "token_id": api_token.id,
            "member_ids": [m.id for m in members],
        },
        "now": now.astimezone(UTC).isoformat(),
    }


def as_of(world: dict) -> datetime:
    """When the world was built."""
    return datetime.fromisoformat(world["now"])


def grow_world(world: dict, rounds: int) -> None:
    """More of everything the world's lists and its case page show, in its municipality and
    through the service layer: per round a case of the case manager with a group member, a
    note and a task of the specialist; a referral; a planned meeting of the strategic group
    with a decision draft and a task; and on the world's own case a note, a participation
    record, a task, a risk change (history) and a document. For tests that compare a page's
    queries at two data sizes."""
    import io

    from casework.cases.models import Case
    from casework.documents.operations import add_document

    def user(role: str) -> User:
        return db.session.scalar(select(User).where(User.email == world["logins"][role]))

    manager, specialist = user("case_manager"), user("specialist")
    coordinator, head = user("coordinator"), user("head_of_service")
    ids = world["ids"]
    case = db.session.get(Case, ids["case_id"])
    group = db.session.get(CooperationGroup, ids["group_id"])
    now = utcnow().replace(microsecond=0)
    today = local_date(now)
    for i in range(rounds):
        other = cases.open_case(manager, municipality_id=manager.municipality_id, risk="yellow",
                                categories=("neglect",), case_manager=manager,
                                owner_institution_id=manager.institution_id,
                                child={"given_name": f"Bērns {i}", "family_name": "Ozola",
                                       "personal_code": None, "birth_date": date(2016, 1, 1)})
        cases.add_group_member(manager, other, specialist, "skolotāja")
        cases.add_note(manager, other, level="group", text=f"Piezīme {i}.")
        tasks.create_task(manager, title=f"Uzdevums {i}", description=None,
                          assignee=specialist, due_date=today + timedelta(days=3 + i),
                          case=other)
        cases.file_referral(specialist, child_given_name=f"Pēteris {i}",
                            child_family_name="Liepa", child_personal_code=None,
                            child_birth_date=None, categories=["school_absence"],
                            description="Neapmeklē skolu.", proposed_urgency="green")
        meeting = groups.plan_meeting(
            coordinator, group, starts_at=now + timedelta(days=6 + i),
            ends_at=now + timedelta(days=6 + i, hours=2),
            invite_ids=[head.id, manager.id, specialist.id])
        groups.add_decision(coordinator, meeting, kind="decision", text=f"Projekts {i}")
        groups.add_task(coordinator, meeting, title=f"Melnraksts {i}", assignee=specialist,
                        due_date=today + timedelta(days=20 + i))
        # The world's own case: its page lists all of these.
        cases.add_note(manager, case, level="group", text=f"Vēl piezīme {i}.")
        cases.add_participation(manager, case, subject=f"Plāns {i}", person_id=None,
                                decision_id=None, informed=True, informed_on=today,
                                method="phone", opinion=None, attended=False)
        tasks.create_task(manager, title=f"Gadījuma uzdevums {i}", description=None,
                          assignee=specialist, due_date=today + timedelta(days=8 + i),
                          case=case)
        cases.change_risk(manager, case, "lower_to_green" if case.risk == "yellow" else
                          "raise_to_yellow", reason=f"Pārvērtēts {i}.")
        add_document(manager, stream=io.BytesIO(
            b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
            filename=f"atzinums-{i}.pdf", level="group", case=case)
    db.session.commit()
