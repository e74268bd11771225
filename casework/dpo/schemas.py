"""The JSON of the subject-access export (versioned, explicit fields, STYLE.md 8).

Version 1.0: one record per case in which the data subject appears; dates as ISO 8601,
moments in UTC. Staff are named by institution only. Version 1.1 adds each meeting's
``agenda_minutes`` (the minutes written per agenda item, once approved).
"""

from __future__ import annotations

from marshmallow import Schema, fields


class PersonSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    personal_code = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    contact = fields.String(allow_none=True)
    school = fields.String(allow_none=True)
    added_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)


class CaseSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    risk = fields.String()
    categories = fields.List(fields.String())
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closure_reason = fields.String(allow_none=True)
    closure_reason_text = fields.String(allow_none=True)
    anonymised_at = fields.DateTime(allow_none=True)


class ReferralSchema(Schema):
    received_at = fields.DateTime()
    reporting_institution = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    description = fields.String()
    child_given_name = fields.String()
    child_family_name = fields.String()


class HistorySchema(Schema):
    at = fields.DateTime()
    machine = fields.String()
    trigger = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class NoteSchema(Schema):
    created_at = fields.DateTime()
    level = fields.String()
    institution = fields.String(allow_none=True)
    text = fields.String()


class ParticipationSchema(Schema):
    subject = fields.String()
    decision = fields.String(allow_none=True)
    informed = fields.Boolean()
    informed_on = fields.Date(allow_none=True)
    method = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    attended = fields.Boolean()


class AgendaMinutesSchema(Schema):
    item = fields.String()
    minutes = fields.String()


class MeetingSchema(Schema):
    starts_at = fields.DateTime()
    title = fields.String(allow_none=True)
    status = fields.String()
    place = fields.String(allow_none=True)
    agenda = fields.List(fields.String())
    minutes = fields.String(allow_none=True)
    agenda_minutes = fields.List(fields.Nested(AgendaMinutesSchema))
    client_took_part = fields.Boolean(allow_none=True)
    client_opinion = fields.String(allow_none=True)
    child_took_part = fields.Boolean(allow_none=True)
    child_opinion = fields.String(allow_none=True)


class ProgressSchema(Schema):
    on = fields.Date()
    text = fields.String()
    status = fields.String()


class DecisionSchema(Schema):
    number = fields.String(allow_none=True)
    text = fields.String()
    due_date = fields.Date(allow_none=True)
    status = fields.String()
    not_executed_reason = fields.String(allow_none=True)
    responsible_institution = fields.String(allow_none=True)
    progress = fields.List(fields.Nested(ProgressSchema))


class AreaSchema(Schema):
    area = fields.String()
    rating = fields.Integer()
    text = fields.String(allow_none=True)


class AssessmentSchema(Schema):
    version = fields.Integer()
    assessed_on = fields.Date()
    proposed_risk = fields.String()
    areas = fields.List(fields.Nested(AreaSchema))


class GoalSchema(Schema):
    goal = fields.String()
    actions = fields.String()
    deadline = fields.Date()
    status = fields.String()
    responsible_institution = fields.String(allow_none=True)


class DocumentSchema(Schema):
    uploaded_at = fields.DateTime()
    filename = fields.String()
    content_type = fields.String()
    level = fields.String()
    institution = fields.String(allow_none=True)


class RecordSchema(Schema):
    case = fields.Nested(CaseSchema)
    person = fields.Nested(PersonSchema)
    referrals = fields.List(fields.Nested(ReferralSchema))
    history = fields.List(fields.Nested(HistorySchema))
    notes = fields.List(fields.Nested(NoteSchema))
    participation = fields.List(fields.Nested(ParticipationSchema))
    meetings = fields.List(fields.Nested(MeetingSchema))
    decisions = fields.List(fields.Nested(DecisionSchema))
    assessments = fields.List(fields.Nested(AssessmentSchema))
    plan_goals = fields.List(fields.Nested(GoalSchema))
    documents = fields.List(fields.Nested(DocumentSchema))


class SubjectSchema(Schema):
    given_name = fields.String()
    family_name = fields.String()
    personal_code = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)


class SubjectAccessSchema(Schema):
    """The whole export."""

    schema = fields.String()
    schema_version = fields.String()
    generated_at = fields.DateTime()
    municipality = fields.String(allow_none=True)
    subject = fields.Nested(SubjectSchema)
    records = fields.List(fields.Nested(RecordSchema))
