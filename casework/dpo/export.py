"""The subject-access export: everything the municipality holds about one person of a case
(GDPR art. 15), as JSON (``schemas.SubjectAccessSchema``) and PDF (WeasyPrint).

For each case in which the person appears (the same personal code in any case of the
municipality; without a code, the chosen case), the export gives the person's record, the
case's facts, referrals and history, the notes the person may receive, the participation
records, the meetings of the case's group (minutes, the general part and each agenda item's,
once approved), its published decisions
with their progress, the assessments, the support-plan goals and the list of documents.

Which notes and documents a person may receive follows their confidentiality level
(DESIGN.md §2): ``group`` and ``institution`` ones are given; ``restricted`` ones (e.g. police
information on an open investigation) are not, since the law lets the municipality withhold
them while disclosure would harm an investigation or another person's rights. The export
says so in general words, whether or not such notes exist, so it never reveals that one
exists; the officer's page shows how many were withheld.

Staff are named by their institution only.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casework.cases.models import (
    Case,
    CaseEvent,
    CasePerson,
    ClientParticipation,
    Note,
    NoteLevel,
    Referral,
)
from casework.db_types import utcnow
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import AgendaItem, CooperationGroup, Decision, Meeting
from casework.orgs.models import Institution, Municipality
from casework.plans.models import Assessment, PlanGoal, SupportPlan
from workflows.support_plan import AREAS

SCHEMA_NAME = "casework.subject_access"
SCHEMA_VERSION = "1.1"
#: The note and document levels a data subject receives; ``restricted`` is withheld.
DISCLOSED_LEVELS = (NoteLevel.GROUP.value, NoteLevel.INSTITUTION.value)
#: Meetings whose record exists (a planned or cancelled one has no minutes).
HELD = ("held", "minutes_approved")


def _institutions(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Institution.id, Institution.name)
                                   .where(Institution.id.in_(ids))).all())


def _person(p: CasePerson) -> dict:
    return {"id": p.id, "role": p.role, "given_name": p.given_name,
            "family_name": p.family_name, "personal_code": p.personal_code,
            "birth_date": p.birth_date, "contact": p.contact, "school": p.school,
            "added_at": p.created_at, "ended_at": p.ended_at, "end_reason": p.end_reason}


def _case_record(case: Case, person: CasePerson) -> dict:
    """What the municipality holds about ``person`` in ``case``."""
    group_id = db.session.scalar(select(CooperationGroup.id)
                                 .where(CooperationGroup.case_id == case.id))
    referrals = db.session.scalars(select(Referral).where(Referral.case_id == case.id)
                                   .order_by(Referral.received_at, Referral.id)).all()
    history = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.at, CaseEvent.id)).all()
    notes = db.session.scalars(select(Note).where(Note.case_id == case.id,
                                                  Note.level.in_(DISCLOSED_LEVELS))
                               .order_by(Note.created_at, Note.id)).all()
    participation = db.session.scalars(
        select(ClientParticipation).where(
            ClientParticipation.case_id == case.id,
            (ClientParticipation.person_id == person.id)
            | ClientParticipation.person_id.is_(None))
        .order_by(ClientParticipation.created_at, ClientParticipation.id)).all()
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.group_id == group_id, Meeting.status.in_(HELD))
        .order_by(Meeting.starts_at, Meeting.id)).all() if group_id else []
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id.in_([m.id for m in meetings] or [0]))
        .order_by(AgendaItem.position, AgendaItem.id)).all()
    decisions = db.session.scalars(
        select(Decision).where(Decision.group_id == group_id, Decision.published_at.is_not(None))
        .options(selectinload(Decision.progress))
        .order_by(Decision.seq, Decision.id)).all() if group_id else []
    decision_numbers = {d.id: d.number for d in decisions}
    assessments = db.session.scalars(select(Assessment).where(Assessment.case_id == case.id)
                                     .order_by(Assessment.version)).all()
    goals = db.session.scalars(
        select(PlanGoal).join(SupportPlan, SupportPlan.id == PlanGoal.plan_id)
        .where(SupportPlan.case_id == case.id)
        .order_by(PlanGoal.position, PlanGoal.id)).all()
    documents = db.session.scalars(
        select(Document).where(Document.case_id == case.id,
                               Document.level.in_(DISCLOSED_LEVELS))
        .order_by(Document.uploaded_at, Document.id)).all()
    names = _institutions([r.reporting_institution_id for r in referrals]
                          + [n.author_institution_id for n in notes]
                          + [d.responsible_institution_id for d in decisions]
                          + [g.responsible_institution_id for g in goals]
                          + [d.uploader_institution_id for d in documents])
    return {
        "case": {"id": case.id, "number": case.number, "status": case.status,
                 "risk": case.risk, "categories": case.categories,
                 "opened_at": case.opened_at, "closed_at": case.closed_at,
                 "closure_reason": case.closure_reason,
                 "closure_reason_text": case.closure_reason_text,
                 "anonymised_at": case.anonymised_at},
        "person": _person(person),
        "referrals": [{"received_at": r.received_at,
                       "reporting_institution": names.get(r.reporting_institution_id),
                       "categories": r.categories, "description": r.description,
                       "child_given_name": r.child_given_name,
                       "child_family_name": r.child_family_name} for r in referrals],
        "history": [{"at": e.at, "machine": e.machine, "trigger": e.trigger,
                     "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason}
                    for e in history],
        "notes": [{"created_at": n.created_at, "level": n.level,
                   "institution": names.get(n.author_institution_id), "text": n.text}
                  for n in notes],
        "participation": [{"subject": p.subject, "decision": decision_numbers.get(
                               p.decision_id), "informed": p.informed,
                           "informed_on": p.informed_on, "method": p.method,
                           "opinion": p.opinion, "attended": p.attended}
                          for p in participation],
        "meetings": [{"starts_at": m.starts_at, "title": m.title, "status": m.status,
                      "place": m.place,
                      "agenda": [i.text for i in items if i.meeting_id == m.id],
                      "minutes": m.minutes if m.status == "minutes_approved" else None,
                      # The minutes of each agenda item, like the meeting's: once approved.
                      "agenda_minutes": [{"item": i.text, "minutes": i.minutes} for i in items
                                         if i.meeting_id == m.id and i.minutes
                                         and m.status == "minutes_approved"],
                      "client_took_part": m.client_took_part,
                      "client_opinion": m.client_opinion,
                      "child_took_part": m.child_took_part,
                      "child_opinion": m.child_opinion} for m in meetings],
        "decisions": [{"number": d.number, "text": d.text, "due_date": d.due_date,
                       "status": d.status, "not_executed_reason": d.not_executed_reason,
                       "responsible_institution": names.get(d.responsible_institution_id),
                       "progress": [{"on": p.on, "text": p.text, "status": p.status_after}
                                    for p in d.progress]} for d in decisions],
        "assessments": [{"version": a.version, "assessed_on": a.assessed_on,
                         "proposed_risk": a.proposed_risk,
                         "areas": [{"area": area, "rating": getattr(a, f"{area}_rating"),
                                    "text": getattr(a, f"{area}_text")} for area in AREAS]}
                        for a in assessments],
        "plan_goals": [{"goal": g.goal, "actions": g.actions, "deadline": g.deadline,
                        "status": g.status,
                        "responsible_institution": names.get(g.responsible_institution_id)}
                       for g in goals],
        "documents": [{"uploaded_at": d.uploaded_at, "filename": d.filename,
                       "content_type": d.content_type, "level": d.level,
                       "institution": names.get(d.uploader_institution_id)}
                      for d in documents],
    }


def subject_access_data(person: CasePerson, rows: list[CasePerson],
                        now: datetime | None = None) -> dict:
    """The export of the data subject ``person`` (``rows``: every person row of the same
    subject in the municipality, ``queries.same_subject``)."""
    case = person.case
    municipality = db.session.scalar(select(Municipality.name).where(
        Municipality.id == case.municipality_id))
    return {
        "schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION,
        "generated_at": now or utcnow(), "municipality": municipality,
        "subject": {"given_name": person.given_name, "family_name": person.family_name,
                    "personal_code": person.personal_code, "birth_date": person.birth_date},
        "records": [_case_record(row.case, row) for row in rows],
    }


def withheld_counts(rows: list[CasePerson]) -> dict[str, int]:
    """How many restricted notes and documents the export leaves out (for the officer)."""
    case_ids = sorted({row.case_id for row in rows})
    notes = db.session.scalar(select(func.count()).select_from(Note).where(
        Note.case_id.in_(case_ids), Note.level.not_in(DISCLOSED_LEVELS)))
    documents = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.case_id.in_(case_ids), Document.level.not_in(DISCLOSED_LEVELS)))
    return {"notes": notes or 0, "documents": documents or 0}


def to_pdf(data: dict) -> bytes:
    """The export as a tagged PDF/A-3b document (fonts embedded)."""
    from weasyprint import HTML

    from workflows.support_plan import AREA_LABELS

    html = render_template("dpo/subject_access_pdf.html", data=data, area_labels=AREA_LABELS)
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)
