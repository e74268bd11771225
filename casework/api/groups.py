"""API endpoints of cooperation groups, meetings (plan, attendance, minutes) and decisions
(execution progress): the same scoped queries and operations as the group pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
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
from casework.concurrency import check_version
from casework.decisions import operations as decision_ops
from casework.decisions import queries as decision_queries
from casework.extensions import db
from casework.groups import access, queries
from casework.groups import operations as ops
from casework.groups.models import CooperationGroup, Decision, GroupMember, Meeting
from casework.groups.views import STRATEGIC_ROLES

TAG = "groups"


def _me():
    return current_user._get_current_object()


# -- groups -----------------------------------------------------------------------------------
@endpoint("/groups", summary="The municipality's strategic groups as you may list them",
          tag=TAG, query=s.PageQuery, response=s.page_schema(s.Group, "GroupPage"),
          paginated=True, errors=(400, 403))
def groups():
    if not _me().has_role(*STRATEGIC_ROLES):
        abort(403)
    return page_of(queries.strategic_groups(_me()), CooperationGroup.id,
                   load_query(s.PageQuery)), s.page_schema(s.Group, "GroupPage")()


@endpoint("/groups/<int:group_id>", summary="One group with its members", tag=TAG,
          response=s.GroupDetail)
def group(group_id: int):
    found = queries.get_group_or_404(group_id, _me())
    found.members_listed = db.session.scalars(
        select(GroupMember).where(GroupMember.group_id == found.id)
        .order_by(GroupMember.member_to.is_not(None), GroupMember.member_from)).all()
    return found, _GroupDetail()


class _GroupDetail(s.GroupDetail):
    members = s.fields.List(s.fields.Nested(s.Member), attribute="members_listed",
                            required=True)


def _content_group(group_id: int) -> CooperationGroup:
    found = queries.get_group_or_404(group_id, _me())
    if not queries.may_see_content(_me(), found):
        abort(404)
    return found


# -- meetings ---------------------------------------------------------------------------------
@endpoint("/groups/<int:group_id>/meetings", summary="A group's meetings", tag="meetings",
          query=s.PageQuery, response=s.page_schema(s.Meeting, "MeetingPage"),
          paginated=True, errors=(400, 404))
def group_meetings(group_id: int):
    found = _content_group(group_id)
    return page_of(queries.group_meetings(found), Meeting.id, load_query(s.PageQuery)), \
        s.page_schema(s.Meeting, "MeetingPage")()


@endpoint("/groups/<int:group_id>/meetings", "POST", summary="Plan a meeting and invite "
          "members (they are notified)", tag="meetings", body=s.MeetingIn,
          response=s.MeetingDetail, status=201, etag=True, errors=(400, 403, 404, 422))
def meeting_plan(group_id: int):
    found = _content_group(group_id)
    if not access.may_manage_meetings(_me(), found):
        abort(403)
    body = load_body(s.MeetingIn)
    meeting = ops.plan_meeting(_me(), found, starts_at=body["starts_at"],
                               ends_at=body["ends_at"], kind=body["kind"],
                               title=body.get("title"), place=body.get("place"),
                               online_link=body.get("online_link"),
                               invite_ids=body["invite_ids"])
    return meeting, s.MeetingDetail(), etag(meeting)


def _meeting(meeting_id: int) -> Meeting:
    return queries.get_meeting_or_404(meeting_id, _me())


@endpoint("/meetings/<int:meeting_id>", summary="One meeting: agenda, attendance, minutes",
          tag="meetings", response=s.MeetingDetail, etag=True)
def meeting(meeting_id: int):
    found = _meeting(meeting_id)
    return found, s.MeetingDetail(), etag(found)


@reloads(_meeting)
@endpoint("/meetings/<int:meeting_id>/attendance", "PUT", summary="Record attendance "
          "(user id → attended, excused, absent or invited)", tag="meetings",
          body=s.AttendanceIn, response=s.MeetingDetail, etag=True,
          errors=(400, 403, 404, 409, 422))
def meeting_attendance(meeting_id: int):
    found = _meeting(meeting_id)
    body = load_body(s.AttendanceIn)
    ops.record_attendance(_me(), found, {int(k): v for k, v in body["statuses"].items()})
    # After the operation's own access check (403 comes before 409); a refusal rolls back.
    check_version(found, expected_version(body))
    return found, s.MeetingDetail(), etag(found)


@reloads(_meeting)
@endpoint("/meetings/<int:meeting_id>/minutes", "PUT", summary="Save the minutes, the general "
          "part and each agenda item's (refused once they are approved)", tag="meetings",
          body=s.MinutesIn, response=s.MeetingDetail, etag=True, errors=(400, 403, 404, 409, 422))
def meeting_minutes(meeting_id: int):
    found = _meeting(meeting_id)
    body = load_body(s.MinutesIn)
    ops.save_minutes(_me(), found, minutes=body.get("minutes"),
                     expected_version=expected_version(body),
                     item_minutes={item["agenda_item_id"]: item["minutes"]
                                   for item in body["items"]})
    return found, s.MeetingDetail(), etag(found)


@reloads(_meeting)
@endpoint("/meetings/<int:meeting_id>/transition", "POST", summary="Mark held, approve the "
          "minutes (decisions published, tasks issued) or cancel", tag="meetings",
          body=s.MeetingTransitionIn, response=s.MeetingDetail, etag=True,
          errors=(400, 403, 404, 409, 422))
def meeting_transition(meeting_id: int):
    found = _meeting(meeting_id)
    body = load_body(s.MeetingTransitionIn)
    version = expected_version(body)
    if body["trigger"] == "mark_held":
        ops.mark_held(_me(), found, expected_version=version)
    elif body["trigger"] == "approve_minutes":
        ops.approve_minutes(_me(), found, expected_version=version)
    else:
        ops.cancel_meeting(_me(), found, reason=body.get("reason"), expected_version=version)
    return found, s.MeetingDetail(), etag(found)


# -- decisions --------------------------------------------------------------------------------
@endpoint("/decisions", summary="Published decisions you may see, with their execution "
          "status", tag="decisions", query=s.DecisionQuery,
          response=s.page_schema(s.Decision, "DecisionPage"), paginated=True, errors=(400,))
def decisions():
    args = load_query(s.DecisionQuery)
    stmt = decision_queries.published_decisions(_me())
    if args.get("group_id"):
        stmt = stmt.where(Decision.group_id == args["group_id"])
    return page_of(stmt, Decision.id, args), s.page_schema(s.Decision, "DecisionPage")()


def _decision(decision_id: int) -> Decision:
    found = queries.get_decision_or_404(decision_id, _me())
    if found.published_at is None:
        abort(404)
    return found


@endpoint("/decisions/<int:decision_id>", summary="One decision with its progress entries",
          tag="decisions", response=s.DecisionDetail, etag=True)
def decision(decision_id: int):
    found = _decision(decision_id)
    return found, s.DecisionDetail(), etag(found)


@reloads(_decision)
@endpoint("/decisions/<int:decision_id>/advance", "POST", summary="Start execution, mark "
          "executed, or not executed with a reason", tag="decisions", body=s.AdvanceIn,
          response=s.DecisionDetail, etag=True, errors=(400, 403, 404, 409, 422))
def decision_advance(decision_id: int):
    found = _decision(decision_id)
    body = load_body(s.AdvanceIn)
    decision_ops.advance_decision(_me(), found, body["trigger"], reason=body.get("reason"),
                                  note=body.get("note"), on=body.get("on"),
                                  expected_version=expected_version(body))
    return found, s.DecisionDetail(), etag(found)


@reloads(_decision)
@endpoint("/decisions/<int:decision_id>/progress", "POST", summary="A dated progress entry",
          tag="decisions", body=s.ProgressIn, response=s.DecisionDetail, status=201,
          etag=True, errors=(400, 403, 404, 409, 422))
def decision_progress(decision_id: int):
    found = _decision(decision_id)
    body = load_body(s.ProgressIn)
    decision_ops.add_progress(_me(), found, on=body.get("on"), text=body["text"],
                              expected_version=expected_version(body))
    return found, s.DecisionDetail(), etag(found)
