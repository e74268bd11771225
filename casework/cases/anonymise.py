"""Anonymising closed cases after the retention period (DESIGN.md §5), set-based.

Every free text of a case is replaced with "Anonimizēts" (or removed), wherever it is kept: the
case and its persons, referrals, history reasons, notes, participation records, the group, its
members' roles, meetings (titles, places, links, minutes, opinions), agenda items, decisions
and their progress, tasks, assessments, support-plan goals, break-glass reasons; the documents
(rows and stored files), and the rows that point at the case only through a link: the
notifications (and so the e-mail queue, which is the notification table), the kept forms and
the used form tokens. Numbers, codes, colours, categories, states and dates stay, so the
statistics and the annual report are unchanged; birth dates keep their year (as 1 July).

Each table gets ONE statement for all the cases of a run (``anonymise_cases``), never one per
case, and a run takes at most ``BATCH`` cases (the next run takes the rest).

``TEXT_COLUMNS`` lists, per table, the columns replaced or cleared; ``KEPT_COLUMNS`` the
string columns that hold only codes, numbers, keys or hashes chosen by the system. The test
``tests/cases/test_anonymise.py`` seeds a name into every other string column of every table
that belongs to a case, so a column added later and put in neither list fails it.

The audit log is not rewritten: its details hold only allow-listed ids, codes, numbers and
dates (``casework.audit.operations.clean_details`` drops every value with a space or a letter
outside the allowed shapes), never a name or a typed text, which the tests check; its rows are
sealed by the hash chain and anchors, which a rewrite would break.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Date,
    String,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)

from casework.audit.operations import record
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseEvent,
    CasePerson,
    ClientParticipation,
    Note,
    Referral,
)
from casework.concurrency import UsedFormToken
from casework.documents import storage as storage_mod
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import (
    AgendaItem,
    CooperationGroup,
    Decision,
    DecisionProgress,
    GroupMember,
    Meeting,
)
from casework.plans.models import Assessment, PlanGoal, SupportPlan
from casework.tasks.models import Task

#: Replaces names and free texts of an anonymised case.
ANONYMISED = "Anonimizēts"
#: Cases anonymised in one run at most (each statement's IN list stays bounded).
BATCH = 500

REPLACE = "replace"  # a text becomes ANONYMISED (NULL stays NULL: "was there a text" is kept)
CLEAR = "clear"  # the value is removed (NULL)
YEAR = "year"  # a date keeps only its year (1 July of it)

#: Per table, what becomes of each column that may hold a name or a typed text.
TEXT_COLUMNS: dict[str, dict[str, str]] = {
    "case": {"closure_reason_text": REPLACE},
    "case_person": {"given_name": REPLACE, "family_name": REPLACE, "search_name": "search",
                    "personal_code": CLEAR, "contact": CLEAR, "school": CLEAR,
                    "end_reason": REPLACE, "birth_date": YEAR},
    "referral": {"child_given_name": REPLACE, "child_family_name": REPLACE,
                 "child_personal_code": CLEAR, "child_birth_date": YEAR,
                 "description": REPLACE, "outcome_reason": REPLACE},
    "case_event": {"reason": REPLACE},
    "note": {"text": REPLACE},
    "client_participation": {"subject": REPLACE, "opinion": REPLACE},
    "break_glass_access": {"reason": REPLACE},
    "cooperation_group": {"name": REPLACE, "description": REPLACE},
    "group_member": {"role_in_group": REPLACE},
    "meeting": {"title": REPLACE, "place": REPLACE, "online_link": CLEAR, "minutes": REPLACE,
                "cancel_reason": REPLACE, "client_opinion": REPLACE,
                "child_opinion": REPLACE},
    "agenda_item": {"text": REPLACE, "minutes": REPLACE},
    "decision": {"topic": REPLACE, "text": REPLACE, "not_executed_reason": REPLACE},
    "decision_progress": {"text": REPLACE},
    "task": {"title": REPLACE, "description": REPLACE, "completion_note": REPLACE,
             "cancel_reason": REPLACE},
    "assessment": {"needs_text": REPLACE, "family_text": REPLACE, "environment_text": REPLACE,
                   "risk_factors_text": REPLACE, "strengths_text": REPLACE},
    "plan_goal": {"goal": REPLACE, "actions": REPLACE},
}
#: Rows deleted outright: files of the case, and rows that point at it only by a link.
DELETED_TABLES = ("document", "notification", "kept_form", "used_form_token")

#: String and JSON columns of the case's tables that hold codes, numbers, keys or hashes the
#: system chose (never typed text), kept as they are.
KEPT_COLUMNS: dict[str, frozenset[str]] = {
    "case": frozenset({"number", "status", "risk", "closure_reason"}),
    "case_category": frozenset({"category"}),
    "case_person": frozenset({"role"}),
    "referral": frozenset({"proposed_urgency", "outcome", "assigned_risk"}),
    "referral_category": frozenset({"category"}),
    # ``details`` of the history: ids and codes written by the operations (person ids, field
    # names, the closure reason code, the referral id), never a typed text.
    "case_event": frozenset({"machine", "trigger", "from_state", "to_state", "details"}),
    "note": frozenset({"level"}),
    "client_participation": frozenset({"method"}),
    "cooperation_group": frozenset({"kind"}),
    "meeting": frozenset({"kind", "status"}),
    "agenda_item": frozenset({"kind"}),
    "attendance": frozenset({"status"}),
    "decision": frozenset({"kind", "number", "status"}),
    "decision_progress": frozenset({"status_after"}),
    "task": frozenset({"kind", "status"}),
    "assessment": frozenset({"proposed_risk", "proposal_rule"}),
    "support_plan": frozenset({"status"}),
    "plan_goal": frozenset({"status"}),
    "goal_progress": frozenset({"status"}),
    # The document rows are deleted whole; the level is a code, the key names the stored file.
    "document": frozenset({"level", "storage_key"}),
}


# -- which rows belong to the cases -----------------------------------------------------------
def _scopes(case_ids: list[int]) -> dict:
    """Subqueries of the ids of every row that belongs to the cases."""
    groups = select(CooperationGroup.id).where(CooperationGroup.case_id.in_(case_ids))
    meetings = select(Meeting.id).where(Meeting.group_id.in_(groups))
    items = select(AgendaItem.id).where(or_(AgendaItem.case_id.in_(case_ids),
                                            AgendaItem.meeting_id.in_(meetings)))
    decisions = select(Decision.id).where(or_(Decision.group_id.in_(groups),
                                              Decision.agenda_item_id.in_(items)))
    tasks = select(Task.id).where(or_(Task.case_id.in_(case_ids),
                                      Task.meeting_id.in_(meetings),
                                      Task.decision_id.in_(decisions),
                                      Task.agenda_item_id.in_(items)))
    plans = select(SupportPlan.id).where(SupportPlan.case_id.in_(case_ids))
    return {"groups": groups, "meetings": meetings, "items": items, "decisions": decisions,
            "tasks": tasks, "plans": plans}


def _where(model, case_ids: list[int], scope: dict):
    """The condition that picks the rows of ``model`` belonging to the cases."""
    return {
        Case: Case.id.in_(case_ids),
        CasePerson: CasePerson.case_id.in_(case_ids),
        Referral: Referral.case_id.in_(case_ids),
        CaseEvent: CaseEvent.case_id.in_(case_ids),
        Note: Note.case_id.in_(case_ids),
        ClientParticipation: ClientParticipation.case_id.in_(case_ids),
        BreakGlassAccess: BreakGlassAccess.case_id.in_(case_ids),
        CooperationGroup: CooperationGroup.case_id.in_(case_ids),
        GroupMember: GroupMember.group_id.in_(scope["groups"]),
        Meeting: Meeting.group_id.in_(scope["groups"]),
        AgendaItem: AgendaItem.id.in_(scope["items"]),
        Decision: Decision.id.in_(scope["decisions"]),
        DecisionProgress: DecisionProgress.decision_id.in_(scope["decisions"]),
        Task: Task.id.in_(scope["tasks"]),
        Assessment: Assessment.case_id.in_(case_ids),
        PlanGoal: PlanGoal.plan_id.in_(scope["plans"]),
    }[model]


_MODELS = (Case, CasePerson, Referral, CaseEvent, Note, ClientParticipation, BreakGlassAccess,
           CooperationGroup, GroupMember, Meeting, AgendaItem, Decision, DecisionProgress, Task,
           Assessment, PlanGoal)


def _year_only(column):
    """1 July of the date's year, in SQL (the annual report's age bands still count)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.make_date(cast(func.extract("year", column), db.Integer), 7, 1)
    return type_coerce(func.strftime("%Y", column).op("||")("-07-01"), Date)


def _value(column, how: str):
    from casework.cases.search import person_search_name

    if how == REPLACE:
        return case((column.is_(None), None), else_=literal(ANONYMISED))
    if how == CLEAR:
        return None
    if how == YEAR:
        return _year_only(column)
    if how == "search":
        return person_search_name(ANONYMISED, ANONYMISED)
    raise ValueError(how)


def _links(case_ids: list[int], scope: dict):
    """A subquery of the local paths of the cases' pages and their objects' pages (what a
    notification links to, where a kept form was posted, what a used token led to)."""
    def paths(prefix: str, ids):
        sub = ids.subquery()
        return select(literal(prefix).op("||")(cast(sub.c[0], String)).label("path"))

    referrals = select(Referral.id).where(Referral.case_id.in_(case_ids))
    return union_all(
        paths("/cases/", select(Case.id).where(Case.id.in_(case_ids))),
        paths("/groups/", scope["groups"]), paths("/meetings/", scope["meetings"]),
        paths("/decisions/", scope["decisions"]), paths("/tasks/", scope["tasks"]),
        paths("/referrals/", referrals)).subquery()


def _under(column, links):
    """``column`` is one of the paths, or a page below one (``/cases/5/notes``, ``?``, ``#``)."""
    path = links.c.path
    return select(literal(1)).select_from(links).where(or_(
        column == path, column.like(path.op("||")("/%")), column.like(path.op("||")("?%")),
        column.like(path.op("||")("#%")))).exists()


# -- the run ----------------------------------------------------------------------------------
def anonymise_cases(case_ids, now: datetime) -> list[int]:
    """Anonymise the cases ``case_ids`` not anonymised yet: one statement per table for all of
    them. Returns the ids this call anonymised (another process may have taken some first:
    the cases are claimed with one guarded UPDATE). Only flushes; the job commits."""
    from casework.auth.models import KeptForm
    from casework.notifications.models import Notification

    db.session.flush()
    wanted = sorted(set(case_ids))
    if not wanted:
        return []
    ids = sorted(db.session.scalars(
        update(Case).where(Case.id.in_(wanted), Case.anonymised_at.is_(None))
        .values(anonymised_at=now, version=Case.version + 1)
        .returning(Case.id).execution_options(synchronize_session=False)).all())
    if not ids:
        return []
    scope = _scopes(ids)
    for model in _MODELS:
        columns = TEXT_COLUMNS[model.__tablename__]
        # A Core UPDATE: the history (``case_event``) is append-only for the ORM, and this is
        # the one change it receives: its reasons lose their text.
        db.session.execute(
            update(model).where(_where(model, ids, scope))
            .values({name: _value(getattr(model, name), how) for name, how in columns.items()})
            .execution_options(synchronize_session=False))
    # Documents: the rows go now, their files once the job's transaction commits.
    doc_where = or_(Document.case_id.in_(ids), Document.group_id.in_(scope["groups"]))
    for key in db.session.scalars(select(Document.storage_key).where(doc_where)):
        storage_mod.delete_after_commit(db.session(), key)
    db.session.execute(
        delete(Document).where(doc_where).execution_options(synchronize_session=False))
    links = _links(ids, scope)
    db.session.execute(delete(Notification).where(_under(Notification.link, links))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(KeptForm).where(or_(_under(KeptForm.action, links),
                                                  _under(KeptForm.back, links)))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(UsedFormToken).where(_under(UsedFormToken.url, links))
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    by_municipality: dict[int, list[int]] = {}
    for cid, muni in db.session.execute(select(Case.id, Case.municipality_id)
                                        .where(Case.id.in_(ids)).order_by(Case.id)):
        by_municipality.setdefault(muni, []).append(cid)
    for muni, cids in sorted(by_municipality.items()):
        record("cases_anonymised", None, user=None, municipality_id=muni,
               details={"ids": cids, "count": len(cids)})
    db.session.flush()
    return ids


def _cutoffs(now: datetime) -> dict[int, datetime]:
    """Per municipality, the moment before which a closed case is past retention."""
    from casework.orgs.models import Municipality
    from casework.policies.operations import policies_for_all

    policies = policies_for_all()  # one query, not one per municipality
    return {m: years_before(now, policies.get(m, policies[None]).retention_years)
            for m in db.session.scalars(select(Municipality.id).order_by(Municipality.id))}


def due_case_ids(now: datetime, limit: int | None = None) -> list[int]:
    """The closed cases past their municipality's retention period, not anonymised yet,
    oldest first (at most ``limit``, default ``BATCH``): one query, whatever the number of
    municipalities."""
    cutoffs = _cutoffs(now)
    if not cutoffs:
        return []
    return list(db.session.scalars(
        select(Case.id).where(Case.status == "closed", Case.anonymised_at.is_(None),
                              or_(*[(Case.municipality_id == m) & (Case.closed_at < cutoff)
                                    for m, cutoff in cutoffs.items()]))
        .order_by(Case.closed_at, Case.id).limit(limit or BATCH)))


def anonymise_referrals_without_case(now: datetime) -> int:
    """Referrals closed with "no further action" (they never became a case) are anonymised
    once the retention period has passed since their triage: one UPDATE for at most
    ``BATCH`` of them. Returns how many."""
    cutoffs = _cutoffs(now)
    if not cutoffs:
        return 0
    due = select(Referral.id).where(
        Referral.case_id.is_(None), Referral.outcome == "no_action",
        Referral.description != ANONYMISED,
        or_(*[(Referral.municipality_id == m) & (Referral.triaged_at < cutoff)
              for m, cutoff in cutoffs.items()])).order_by(Referral.id).limit(BATCH)
    ids = list(db.session.scalars(due))
    if not ids:
        return 0
    columns = TEXT_COLUMNS["referral"]
    db.session.execute(
        update(Referral).where(Referral.id.in_(ids))
        .values({name: _value(getattr(Referral, name), how) for name, how in columns.items()})
        .execution_options(synchronize_session=False))
    by_municipality: dict[int, list[int]] = {}
    for rid, muni in db.session.execute(select(Referral.id, Referral.municipality_id)
                                        .where(Referral.id.in_(ids)).order_by(Referral.id)):
        by_municipality.setdefault(muni, []).append(rid)
    for muni, rids in sorted(by_municipality.items()):
        record("referrals_anonymised", None, user=None, municipality_id=muni,
               details={"ids": rids, "count": len(rids)})
    db.session.flush()
    return len(ids)


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment ``years`` years earlier (28 February for 29 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)
