"""The API's marshmallow schemas: explicit fields, one schema per audience (STYLE.md 8).

Who sees what is decided by the scoped queries (an object the user may not see is never
loaded); the schemas decide which fields leave: a case's persons and notes only in the schemas
of case content, which only those who see the case content get; the coordinator's and the
inspector's schemas (case statistics, annual reports, the overview) have no name of any person.

Input schemas bound every value the way the forms do (``casework.forms``): lengths, ids in the
database's integer range, dates within 1900–2100, no NUL characters.
"""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, ValidationError, fields, validate

from casework.cases.models import Category, NoteLevel, PersonRole
from casework.forms import MAX_LINE, MAX_MINUTES, MAX_NOTE, MAX_TEXT
from casework.groups.models import ATTENDANCE_STATES, MEETING_KINDS
from casework.inputs import MAX_DATE, MAX_DB_INT, MIN_DATE, date_in_range
from casework.reports.schemas import AnnualReportExport  # noqa: F401 - re-exported for the spec
from workflows import case_lifecycle, risk_profile
from workflows import decision as decision_workflow

RISKS = ("green", "yellow", "red")


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("NUL characters are not allowed.")


def _in_range(value) -> None:
    if not date_in_range(value):
        raise ValidationError(f"Give a date from {MIN_DATE:%Y-%m-%d} to {MAX_DATE:%Y-%m-%d}.")


def _aware(value) -> None:
    if value.tzinfo is None:
        raise ValidationError("Give the time with its offset, e.g. 2026-12-02T10:00:00+02:00.")
    _in_range(value)


def Text(max_length: int = MAX_LINE, *, min_length: int | None = None,  # noqa: N802
         **kwargs):
    """A bounded string without NUL characters (a field factory)."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), _no_nul],
                         **kwargs)


def Id(**kwargs):  # noqa: N802
    """An id within the database's integer range."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_DB_INT), **kwargs)


def Day(**kwargs):  # noqa: N802
    return fields.Date(validate=_in_range, **kwargs)


def Moment(**kwargs):  # noqa: N802
    return fields.AwareDateTime(validate=_aware, **kwargs)


def OneOf(values, **kwargs):  # noqa: N802
    return fields.String(validate=validate.OneOf(list(values)), **kwargs)


# -- shared parts -----------------------------------------------------------------------------
class PageQuery(Schema):
    cursor = Text(200, metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(strict=False, validate=validate.Range(min=1, max=100),
                           metadata={"description": "items per page (1–100, default 25)"})


class Ref(Schema):
    """Another object named by its id and its name (users and institutions)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


def _user_ref(user):
    return None if user is None else {"id": user.id, "name": user.full_name}


def _inst_ref(inst):
    return None if inst is None else {"id": inst.id, "name": inst.name}


class Page(Schema):
    next_cursor = fields.String(allow_none=True, required=True)


@cache
def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """``{items: [item], next_cursor}`` for one kind of item."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item), required=True),
                             "next_cursor": fields.String(allow_none=True, required=True)},
                            name=name)


class Error(Schema):
    class Body(Schema):
        status = fields.Integer(required=True)
        title = fields.String(required=True)
        message = fields.String(required=True)
        fields_ = fields.Dict(data_key="fields")
        code = fields.String(allow_none=True)
        version = fields.Integer(allow_none=True)
        created = fields.String(allow_none=True)

    error = fields.Nested(Body, required=True)


# -- cases: content, for those who see the case -----------------------------------------------
class CaseQuery(PageQuery):
    risk = OneOf(RISKS)
    status = OneOf([*case_lifecycle.CaseStatus, "active"])
    category = OneOf([c.value for c in Category])
    case_manager_id = Id()
    review_overdue = fields.Boolean()


class CaseSummary(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True)
    risk = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    case_manager = fields.Function(lambda c: _user_ref(c.case_manager),
                                   metadata={"type": ["object", "null"]})
    opened_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True)
    next_review_due = fields.Date(allow_none=True)
    version = fields.Integer(required=True)


class Person(Schema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    given_name = fields.String(required=True)
    family_name = fields.String(required=True)
    personal_code = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    contact = fields.String(allow_none=True)
    school = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    ended_at = fields.DateTime(allow_none=True)


class CaseDetail(CaseSummary):
    closure_reason = fields.String(allow_none=True)
    persons = fields.List(fields.Nested(Person), required=True)
    lifecycle_triggers = fields.List(fields.String(), required=True)
    risk_triggers = fields.List(fields.String(), required=True)


class TransitionIn(Schema):
    trigger = OneOf(sorted(case_lifecycle.TRIGGER_LABELS), required=True)
    reason = Text(MAX_TEXT, allow_none=True)
    closure_reason = OneOf([k.value for k in case_lifecycle.CLOSURE_REASONS], allow_none=True)
    closure_reason_text = Text(MAX_TEXT, allow_none=True)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class RiskIn(Schema):
    trigger = OneOf(sorted(risk_profile.TRIGGER_LABELS), required=True)
    reason = Text(MAX_TEXT, allow_none=True)
    decision_id = Id(allow_none=True)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class PersonIn(Schema):
    role = OneOf([r.value for r in PersonRole], required=True)
    given_name = Text(100, required=True, min_length=1)
    family_name = Text(100, required=True, min_length=1)
    personal_code = Text(12, allow_none=True)
    birth_date = Day(allow_none=True)
    contact = Text(300, allow_none=True)
    school = Text(200, allow_none=True)


class Note(Schema):
    id = fields.Integer(required=True)
    level = fields.String(required=True)
    text = fields.String(required=True)
    author = fields.Function(lambda n: _user_ref(n.author), required=True)
    author_institution = fields.Function(lambda n: _inst_ref(n.author_institution),
                                         required=True)
    created_at = fields.DateTime(required=True)


class NoteIn(Schema):
    level = OneOf([lv.value for lv in NoteLevel], required=True)
    text = Text(MAX_NOTE, required=True, min_length=1)


# -- the strategic group's pseudonymous view --------------------------------------------------
_COUNTS = fields.Dict(keys=fields.String(), values=fields.Raw(
    metadata={"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["<3"]}]}))


class CaseStatistics(Schema):
    """Counts only (1 and 2 as "<3"): no case number, name or note."""

    risk = _COUNTS
    status = fields.Dict(keys=fields.String(), values=fields.Raw())
    category = fields.Dict(keys=fields.String(), values=fields.Raw())
    institution_kind = fields.Dict(keys=fields.String(), values=fields.Raw())


# -- referrals --------------------------------------------------------------------------------
class ReferralMine(Schema):
    """What the reporter may learn: their own referral and whether it was accepted."""

    id = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    proposed_urgency = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    outcome = fields.Function(lambda r: _reporter_outcome(r), required=True)


def _reporter_outcome(referral) -> str:
    from casework.cases.queries import reporter_outcome

    return reporter_outcome(referral)


class ReferralIn(Schema):
    child_given_name = Text(100, required=True, min_length=1)
    child_family_name = Text(100, required=True, min_length=1)
    child_personal_code = Text(12, allow_none=True)
    child_birth_date = Day(allow_none=True)
    categories = fields.List(OneOf([c.value for c in Category]), required=True,
                             validate=validate.Length(min=1, max=len(Category)))
    description = Text(MAX_TEXT, required=True, min_length=1)
    proposed_urgency = OneOf(RISKS, required=True)


# -- groups and meetings ----------------------------------------------------------------------
class Member(Schema):
    id = fields.Integer(required=True)
    user = fields.Function(lambda m: _user_ref(m.user), required=True)
    institution = fields.Function(lambda m: _inst_ref(m.institution), required=True)
    role_in_group = fields.String(allow_none=True)
    member_from = fields.DateTime(required=True)
    member_to = fields.DateTime(allow_none=True)


class Group(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    case_id = fields.Integer(allow_none=True)
    lead = fields.Function(lambda g: _user_ref(g.lead), metadata={"type": ["object", "null"]})


class GroupDetail(Group):
    members = fields.List(fields.Nested(Member), required=True)


class AgendaItem(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.String(required=True)
    case_id = fields.Integer(allow_none=True)
    minutes = fields.String(allow_none=True, metadata={
        "description": "What was discussed and concluded on this item"})


class Attendance(Schema):
    user = fields.Function(lambda a: _user_ref(a.user), required=True)
    institution = fields.Function(lambda a: _inst_ref(a.institution), required=True)
    status = fields.String(required=True)


class Meeting(Schema):
    id = fields.Integer(required=True)
    group_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(allow_none=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    place = fields.String(allow_none=True)
    online_link = fields.String(allow_none=True)
    status = fields.String(required=True)
    held_at = fields.DateTime(allow_none=True)
    minutes_approved_at = fields.DateTime(allow_none=True)
    version = fields.Integer(required=True)


class MeetingDetail(Meeting):
    minutes = fields.String(allow_none=True)
    agenda = fields.List(fields.Nested(AgendaItem), required=True)
    attendance = fields.List(fields.Nested(Attendance), required=True)


class MeetingIn(Schema):
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    kind = OneOf(MEETING_KINDS, load_default="regular")
    title = Text(200, allow_none=True)
    place = Text(300, allow_none=True)
    online_link = fields.Url(allow_none=True, validate=validate.Length(max=500),
                             schemes={"https", "http"})
    invite_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))


class AttendanceIn(Schema):
    statuses = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,9}$")),
                           values=OneOf(ATTENDANCE_STATES),
                           required=True, metadata={"description": "user id → status"})
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class ItemMinutesIn(Schema):
    agenda_item_id = Id(required=True)
    minutes = Text(MAX_MINUTES, required=True, allow_none=True)


def _each_item_once(items) -> None:
    ids = [item["agenda_item_id"] for item in items]
    if len(ids) != len(set(ids)):
        raise ValidationError("Give each agenda item once.")


class MinutesIn(Schema):
    minutes = Text(MAX_MINUTES, allow_none=True, metadata={
        "description": "The general part: other matters and the general course of the meeting"})
    items = fields.List(fields.Nested(ItemMinutesIn), load_default=list,
                        validate=[validate.Length(max=500), _each_item_once], metadata={
                            "description": "The minutes of agenda items of this meeting; an "
                                           "item not given keeps its minutes"})
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class MeetingTransitionIn(Schema):
    trigger = OneOf(("mark_held", "approve_minutes", "cancel"), required=True)
    reason = Text(MAX_TEXT, allow_none=True)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


# -- decisions and tasks ----------------------------------------------------------------------
class Progress(Schema):
    on = fields.Date(required=True)
    text = fields.String(required=True)
    status_after = fields.String(required=True)
    author = fields.Function(lambda p: _user_ref(p.author),
                             metadata={"type": ["object", "null"]})


class Decision(Schema):
    id = fields.Integer(required=True)
    group_id = fields.Integer(required=True)
    meeting_id = fields.Integer(allow_none=True)
    number = fields.String(allow_none=True)
    kind = fields.String(required=True)
    text = fields.String(required=True)
    responsible_institution = fields.Function(
        lambda d: _inst_ref(d.responsible_institution), metadata={"type": ["object", "null"]})
    due_date = fields.Date(allow_none=True)
    status = fields.String(required=True)
    not_executed_reason = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    version = fields.Integer(required=True)


class DecisionDetail(Decision):
    progress = fields.List(fields.Nested(Progress), required=True)


class DecisionQuery(PageQuery):
    group_id = Id()


class AdvanceIn(Schema):
    trigger = OneOf(sorted(decision_workflow.TRIGGER_LABELS), required=True)
    reason = Text(MAX_TEXT, allow_none=True)
    note = Text(MAX_TEXT, allow_none=True)
    on = Day(allow_none=True)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class ProgressIn(Schema):
    on = Day(allow_none=True)
    text = Text(MAX_TEXT, required=True, min_length=1)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class Task(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    assignee = fields.Function(lambda t: _user_ref(t.assignee), required=True)
    assignee_institution = fields.Function(lambda t: _inst_ref(t.assignee_institution),
                                           required=True)
    due_date = fields.Date(required=True)
    status = fields.String(required=True)
    completion_note = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    version = fields.Integer(required=True)


class TaskQuery(PageQuery):
    status = OneOf(("open", "done", "cancelled"))
    mine = fields.Boolean(metadata={"description": "only the tasks assigned to me"})


class CompleteIn(Schema):
    note = Text(MAX_TEXT, required=True, min_length=1)
    version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DB_INT))


# -- notifications ----------------------------------------------------------------------------
class Notification(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.Function(lambda n: n.display_text(), required=True)
    link = fields.Function(lambda n: _safe_link(n.link), metadata={"type": ["string", "null"]})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


def _safe_link(link):
    from casework.notifications.queries import safe_link

    return safe_link(link)


class NotificationQuery(PageQuery):
    unread = fields.Boolean()


# -- annual reports and the inspector ---------------------------------------------------------
class AnnualReport(Schema):
    """No person's name: who prepared or approved a report is not part of the API's answer."""

    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True)
    municipality = fields.Function(lambda r: {"name": r.municipality.name,
                                              "atvk_code": r.municipality.atvk_code},
                                   required=True)
    challenges = fields.String(allow_none=True)
    directions = fields.String(allow_none=True)
    conclusions = fields.String(allow_none=True)
    state_proposals = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    schema_version = fields.String(allow_none=True)
    version = fields.Integer(required=True)


class ReportQuery(PageQuery):
    pass


class YearQuery(Schema):
    year = fields.Integer(strict=False, validate=validate.Range(min=2000, max=2100))


class MunicipalityStatus(Schema):
    name = fields.String(required=True)
    atvk_code = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "not_started, draft, in_review, approved, submitted, returned, "
                       "accepted, or overdue"})
    submitted_at = fields.String(allow_none=True, required=True)


class Overview(Schema):
    year = fields.Integer(required=True)
    municipalities = fields.List(fields.Nested(MunicipalityStatus), required=True)
