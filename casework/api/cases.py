"""API endpoints of cases, persons, notes and referrals: the same scoped queries and
operations as the case pages (``casework.cases``), the same audit events."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from casework.api import schemas as s
from casework.api.core import (
    endpoint,
    etag,
    expected_version,
    load_body,
    load_query,
    page_of,
    reloads,
)
from casework.auth.models import Role
from casework.cases import access, queries
from casework.cases import operations as ops
from casework.cases.models import Case, CasePerson, Note, Referral
from casework.extensions import db
from casework.forms import MAX_TEXT

TAG = "cases"


def _me():
    return current_user._get_current_object()


def _case(case_id: int) -> Case:
    return queries.get_case_or_404(case_id, _me())


def _detail(case: Case) -> Case:
    """The case with the triggers the user may fire now (as the case page offers them)."""
    me = _me()
    facts = risk = None
    if access.may_manage_case(me, case):
        facts, risk = ops.case_facts(case), ops.risk_facts(case)
    case.lifecycle_triggers = ops.allowed_case_triggers(me, case, facts)
    case.risk_triggers = ops.allowed_risk_triggers(me, case, risk)
    return case


# -- cases ------------------------------------------------------------------------------------
@endpoint("/cases", summary="The cases whose content you may see", tag=TAG,
          query=s.CaseQuery, response=s.page_schema(s.CaseSummary, "CasePage"),
          paginated=True, errors=(400, 403))
def cases():
    if not access.may_list_cases(_me()):
        abort(403)
    args = load_query(s.CaseQuery)
    filters = {k: args.get(k) for k in ("risk", "status", "category", "case_manager_id")}
    stmt = queries.filtered_cases(_me(), review_overdue=bool(args.get("review_overdue")),
                                  **filters)
    return page_of(stmt, Case.id, args), s.page_schema(s.CaseSummary, "CasePage")()


@endpoint("/cases/statistics", summary="The strategic group's pseudonymous case statistics "
          "(coordinators; counts only, 1 and 2 as \"<3\")", tag=TAG,
          response=s.CaseStatistics, errors=(403,))
def case_statistics():
    if not _me().has_role(Role.COORDINATOR):
        abort(403)
    return queries.case_statistics(_me()), s.CaseStatistics()


@endpoint("/cases/<int:case_id>", summary="One case (the read is in the audit log)", tag=TAG,
          response=s.CaseDetail, etag=True)
def case(case_id: int):
    found = _case(case_id)
    ops.record_case_view(_me(), found)
    return _detail(found), s.CaseDetail(), etag(found)


@reloads(_case)
@endpoint("/cases/<int:case_id>/transition", "POST", summary="Fire a lifecycle trigger",
          tag=TAG, body=s.TransitionIn, response=s.CaseDetail, etag=True,
          errors=(400, 403, 404, 409, 422))
def case_transition(case_id: int):
    found = _case(case_id)
    body = load_body(s.TransitionIn)
    ops.transition_case(_me(), found, body["trigger"], expected_version=expected_version(body),
                        reason=body.get("reason"), closure_reason=body.get("closure_reason"),
                        closure_reason_text=body.get("closure_reason_text"))
    return _detail(found), s.CaseDetail(), etag(found)


@reloads(_case)
@endpoint("/cases/<int:case_id>/risk", "POST", summary="Raise or lower the risk colour",
          tag=TAG, body=s.RiskIn, response=s.CaseDetail, etag=True,
          errors=(400, 403, 404, 409, 422))
def case_risk(case_id: int):
    found = _case(case_id)
    body = load_body(s.RiskIn)
    ops.change_risk(_me(), found, body["trigger"], reason=body.get("reason"),
                    decision_id=body.get("decision_id"),
                    expected_version=expected_version(body))
    return _detail(found), s.CaseDetail(), etag(found)


# -- persons and notes ------------------------------------------------------------------------
@endpoint("/cases/<int:case_id>/persons", summary="The persons of a case", tag=TAG,
          query=s.PageQuery, response=s.page_schema(s.Person, "PersonPage"), paginated=True,
          errors=(400, 404))
def case_persons(case_id: int):
    found = _case(case_id)
    ops.record_case_view(_me(), found)
    stmt = select(CasePerson).where(CasePerson.case_id == found.id)
    return page_of(stmt, CasePerson.id, load_query(s.PageQuery)), \
        s.page_schema(s.Person, "PersonPage")()


@endpoint("/cases/<int:case_id>/persons", "POST", summary="Add a person to a case", tag=TAG,
          body=s.PersonIn, response=s.Person, status=201, errors=(400, 403, 404, 422))
def case_person_add(case_id: int):
    found = _case(case_id)
    body = load_body(s.PersonIn)
    person = ops.add_person(_me(), found, role=body["role"], given_name=body["given_name"],
                            family_name=body["family_name"],
                            personal_code=body.get("personal_code"),
                            birth_date=body.get("birth_date"), contact=body.get("contact"),
                            school=body.get("school"))
    return person, s.Person()


def _person(case: Case, person_id: int) -> CasePerson:
    """A person of the case (404 otherwise, as on the person's page)."""
    person = db.session.get(CasePerson, person_id)
    if person is None or person.case_id != case.id:
        abort(404)
    return person


@endpoint("/cases/<int:case_id>/persons/<int:person_id>", "PUT", summary="Correct a person's "
          "data (the history names the fields that changed)", tag=TAG, body=s.PersonIn,
          response=s.Person, errors=(400, 403, 404, 422))
def case_person_correct(case_id: int, person_id: int):
    found = _case(case_id)
    person = _person(found, person_id)
    body = load_body(s.PersonIn)
    ops.correct_person(_me(), found, person.id, role=body["role"],
                       given_name=body["given_name"], family_name=body["family_name"],
                       personal_code=body.get("personal_code"),
                       birth_date=body.get("birth_date"), contact=body.get("contact"),
                       school=body.get("school"))
    return person, s.Person()


class EndPersonIn(Schema):
    reason = s.Text(MAX_TEXT, required=True, min_length=1)


@endpoint("/cases/<int:case_id>/persons/<int:person_id>/end", "POST", summary="A person is no "
          "longer part of the case (kept, with the reason)", tag=TAG, body=EndPersonIn,
          response=s.Person, errors=(400, 403, 404, 422))
def case_person_end(case_id: int, person_id: int):
    found = _case(case_id)
    person = _person(found, person_id)
    body = load_body(EndPersonIn)
    return ops.end_person(_me(), found, person.id, reason=body["reason"]), s.Person()


@endpoint("/cases/<int:case_id>/notes", summary="The notes of a case you may read (by their "
          "confidentiality level)", tag=TAG, query=s.PageQuery,
          response=s.page_schema(s.Note, "NotePage"), paginated=True, errors=(400, 404))
def case_notes(case_id: int):
    found = _case(case_id)
    return page_of(queries.visible_notes(_me(), found), Note.id, load_query(s.PageQuery)), \
        s.page_schema(s.Note, "NotePage")()


@endpoint("/cases/<int:case_id>/notes", "POST", summary="Write a note", tag=TAG,
          body=s.NoteIn, response=s.Note, status=201, errors=(400, 403, 404, 422))
def case_note_add(case_id: int):
    found = _case(case_id)
    body = load_body(s.NoteIn)
    return ops.add_note(_me(), found, level=body["level"], text=body["text"]), s.Note()


# -- referrals --------------------------------------------------------------------------------
@endpoint("/referrals", summary="The referrals you filed, with the outcome of their triage",
          tag="referrals", query=s.PageQuery,
          response=s.page_schema(s.ReferralMine, "ReferralPage"), paginated=True,
          errors=(400, 403))
def referrals():
    if not access.may_file_referral(_me()):
        abort(403)
    return page_of(queries.referrals_by(_me()), Referral.id, load_query(s.PageQuery)), \
        s.page_schema(s.ReferralMine, "ReferralPage")()


@endpoint("/referrals", "POST", summary="File a referral (any municipal institution's user)",
          tag="referrals", body=s.ReferralIn, response=s.ReferralMine, status=201,
          errors=(400, 403, 422))
def referral_file():
    if not access.may_file_referral(_me()):
        abort(403)
    body = load_body(s.ReferralIn)
    referral = ops.file_referral(
        _me(), child_given_name=body["child_given_name"],
        child_family_name=body["child_family_name"],
        child_personal_code=body.get("child_personal_code"),
        child_birth_date=body.get("child_birth_date"), categories=body["categories"],
        description=body["description"], proposed_urgency=body["proposed_urgency"])
    return referral, s.ReferralMine()


class TriageIn(Schema):
    outcome = s.OneOf(("new_case", "attached", "no_action"), required=True)
    risk = s.OneOf(s.RISKS, allow_none=True)
    case_number = s.Text(16, allow_none=True)
    reason = s.Text(MAX_TEXT, allow_none=True)


class TriageOut(Schema):
    case = fields.Nested(s.CaseSummary, allow_none=True, required=True)


class TriageReferral(Schema):
    """The triage queue: what the case manager's triage page shows of a referral."""

    id = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    triage_due_at = fields.DateTime(required=True)
    reporting_institution = fields.Function(lambda r: s._inst_ref(r.reporting_institution),
                                            required=True)
    child_given_name = fields.String(required=True)
    child_family_name = fields.String(required=True)
    child_birth_date = fields.Date(allow_none=True)
    categories = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    proposed_urgency = fields.String(required=True, validate=validate.OneOf(s.RISKS))


def _case_manager():
    if not _me().has_role(Role.CASE_MANAGER):
        abort(403)
    return _me()


@endpoint("/referrals/triage", summary="Referrals waiting for triage (case managers)",
          tag="referrals", query=s.PageQuery,
          response=s.page_schema(TriageReferral, "TriagePage"), paginated=True,
          errors=(400, 403))
def triage_queue():
    me = _case_manager()
    return page_of(queries.triage_queue(me), Referral.id, load_query(s.PageQuery)), \
        s.page_schema(TriageReferral, "TriagePage")()


@endpoint("/referrals/<int:referral_id>/triage", "POST", summary="Triage a referral: open a "
          "new case (the way a case is created), attach it to a case you see, or close it "
          "with a reason", tag="referrals", body=TriageIn, response=TriageOut, status=201,
          errors=(400, 403, 404, 422))
def triage(referral_id: int):
    me = _case_manager()
    referral = queries.get_referral_for_triage_or_404(referral_id, me)
    body = load_body(TriageIn)
    target = None
    if body["outcome"] == "attached":
        target = db.session.scalar(queries.visible_cases(me).where(
            Case.number == (body.get("case_number") or "").strip()))
    created = ops.triage_referral(me, referral, outcome=body["outcome"],
                                  risk=body.get("risk"), case=target,
                                  reason=body.get("reason"))
    return {"case": created}, TriageOut()
