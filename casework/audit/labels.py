"""Words for the codes of the audit log: actions, kinds of object and the keys of details.

The log itself keeps codes and ids only (``operations.DETAIL_KEYS``); these tables turn them
into the reader's language when the log is shown or exported. Every action code that
``record()`` is called with has a label here (a test walks the code to check it).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "api_token_created": _l("API token created"),
    "api_token_revoked": _l("API token revoked"),
    "cases_imported": _l("cases imported"),
    "decisions_imported": _l("decisions imported"),
    "cases_anonymised": _l("cases anonymised"),
    "referrals_anonymised": _l("referrals anonymised"),
    "subject_access_case_opened": _l("case opened for a subject-access request"),
    "subject_access_exported": _l("subject-access export produced"),
    # sign-in and accounts
    "login": _l("signed in"),
    "login_failed": _l("failed sign-in"),
    "logout": _l("signed out"),
    "session_expired": _l("session expired"),
    "account_locked": _l("account locked"),
    "password_changed": _l("password changed"),
    "user_created": _l("user created"),
    "user_updated": _l("user's data changed"),
    "user_deactivated": _l("user deactivated"),
    "user_reactivated": _l("user reactivated"),
    "user_unlocked": _l("user unlocked"),
    "user_password_reset": _l("user's password reset"),
    "notification_settings_changed": _l("notification settings changed"),
    "start_steps_dismissed": _l("first steps on the start page dismissed"),
    "emails_requeued": _l("e-mails queued to be sent again"),
    "calendar_feed_created": _l("calendar feed created"),
    "calendar_feed_rotated": _l("calendar feed address renewed"),
    "calendar_feed_revoked": _l("calendar feed revoked"),
    # institutions and settings
    "institution_created": _l("institution created"),
    "institution_renamed": _l("institution renamed"),
    "institution_deactivated": _l("institution deactivated"),
    "institution_reactivated": _l("institution reactivated"),
    "policy_changed": _l("timescales changed"),
    # referrals and cases
    "referral_filed": _l("referral filed"),
    "referral_triaged": _l("referral triaged"),
    "case_opened": _l("case opened"),
    "case_viewed": _l("case page opened"),
    "case_break_glass": _l("case opened with break-glass access"),
    "case_person_match_hinted": _l("shown that a person is also in another case"),
    "case_transition": _l("case status changed"),
    "case_risk_changed": _l("risk changed"),
    "case_reassigned": _l("case reassigned"),
    "case_reviewed": _l("case reviewed"),
    "case_person_added": _l("person added to the case"),
    "case_person_corrected": _l("person's data corrected"),
    "case_person_ended": _l("person no longer part of the case"),
    "case_note_added": _l("note added"),
    "case_participation_added": _l("client participation recorded"),
    "case_assessment_saved": _l("assessment saved"),
    "case_assessment_viewed": _l("assessment opened"),
    "case_assessments_viewed": _l("list of assessments opened"),
    "case_plan_created": _l("support plan started"),
    "case_plan_goal_added": _l("goal added to the support plan"),
    "case_plan_agreed": _l("support plan agreed"),
    "case_plan_reopened": _l("support plan returned to draft"),
    "case_plan_viewed": _l("support plan opened"),
    "case_anonymised": _l("case anonymised"),
    "case_access_log_viewed": _l("list of who has seen the case opened"),
    # groups and meetings
    "group_created": _l("group created"),
    "group_member_added": _l("member added to the group"),
    "group_member_removed": _l("member removed from the group"),
    "meeting_planned": _l("meeting planned"),
    "meeting_changed": _l("meeting changed"),
    "meeting_rescheduled": _l("meeting rescheduled"),
    "meeting_invited": _l("participants invited"),
    "meeting_attendance": _l("attendance recorded"),
    "meeting_agenda_added": _l("agenda item added"),
    "meeting_agenda_removed": _l("agenda item removed"),
    "meeting_minutes_saved": _l("minutes saved"),
    "meeting_held": _l("meeting marked as held"),
    "meeting_cancelled": _l("meeting cancelled"),
    "meeting_minutes_approved": _l("minutes approved"),
    "meeting_minutes_exported": _l("minutes downloaded"),
    "meeting_viewed": _l("meeting page opened"),
    "meeting_calendar_exported": _l("meeting downloaded as a calendar file"),
    # decisions
    "decision_drafted": _l("decision drafted"),
    "decision_draft_changed": _l("decision draft changed"),
    "decision_draft_removed": _l("decision draft removed"),
    "decision_start_execution": _l("execution of a decision started"),
    "decision_mark_executed": _l("decision marked as executed"),
    "decision_mark_not_executed": _l("decision marked as not executed"),
    "decision_progress_added": _l("progress of a decision recorded"),
    "decision_viewed": _l("decision page opened"),
    "decisions_viewed": _l("list of the group's decisions opened"),
    "decisions_exported": _l("decisions exported"),
    # tasks
    "task_created": _l("task given"),
    "task_drafted": _l("task drafted"),
    "task_draft_removed": _l("task draft removed"),
    "task_complete": _l("task completed"),
    "task_cancel": _l("task cancelled"),
    # documents
    "document_uploaded": _l("document uploaded"),
    "document_downloaded": _l("document downloaded"),
    # the annual report
    "annual_report_started": _l("annual report started"),
    "annual_report_narrative_saved": _l("annual report text saved"),
    "annual_report_submit_for_review": _l("annual report sent for review"),
    "annual_report_send_back": _l("annual report sent back to draft"),
    "annual_report_approve": _l("annual report approved"),
    "annual_report_submit": _l("annual report submitted"),
    "annual_report_return_report": _l("annual report returned by the authority"),
    "annual_report_rework": _l("returned annual report reopened"),
    "annual_report_accept": _l("annual report accepted"),
    "annual_report_exported": _l("annual report exported"),
    "national_aggregate_exported": _l("national summary exported"),
    # the audit log itself
    "audit_log_exported": _l("audit log exported"),
}

#: Actions that read (open, download, export) rather than change.
READ_ACTIONS = frozenset({
    "case_viewed", "case_break_glass", "case_person_match_hinted", "case_assessment_viewed",
    "case_assessments_viewed", "case_plan_viewed", "case_access_log_viewed",
    "meeting_minutes_exported", "meeting_viewed", "meeting_calendar_exported",
    "decision_viewed", "decisions_viewed", "decisions_exported", "document_downloaded",
    "annual_report_exported", "national_aggregate_exported", "audit_log_exported",
})

#: Kinds of object (the model names stored in ``object_type``).
OBJECT_LABELS = {
    "Case": _l("case"),
    "Referral": _l("referral"),
    "CooperationGroup": _l("cooperation group"),
    "Meeting": _l("meeting"),
    "Decision": _l("decision"),
    "Task": _l("task"),
    "Document": _l("document"),
    "User": _l("user"),
    "Institution": _l("the institution"),
    "AnnualReport": _l("annual report"),
}

DETAIL_LABELS = {
    "access_id": _l("access"),
    "after": _l("after"),
    "assessment_id": _l("assessment"),
    "assignee_id": _l("assignee"),
    "before": _l("before"),
    "by": _l("by way of"),
    "case_id": _l("case"),
    "changed": _l("changed"),
    "content_type": _l("file type"),
    "count": _l("count"),
    "decision": _l("decision"),
    "decision_id": _l("decision"),
    "decisions": _l("decisions"),
    "due_date": _l("due date"),
    "email": _l("e-mail"),
    "failed_count": _l("failed attempts"),
    "fields": _l("fields"),
    "format": _l("format"),
    "from": _l("from"),
    "goal_id": _l("goal"),
    "group": _l("cooperation group"),
    "hours": _l("hours"),
    "id": _l("record"),
    "ids": _l("records"),
    "institution": _l("the institution"),
    "institution_id": _l("the institution"),
    "issued": _l("issued"),
    "item": _l("agenda item"),
    "kind": _l("kind"),
    "lead": _l("lead"),
    "level": _l("confidentiality"),
    "meeting": _l("meeting"),
    "meeting_id": _l("meeting"),
    "member": _l("member"),
    "municipality": _l("municipality"),
    "note_id": _l("note"),
    "notify_by": _l("notify by"),
    "number": _l("number"),
    "on": _l("date"),
    "outcome": _l("outcome"),
    "person_id": _l("person"),
    "persons": _l("persons"),
    "plan_id": _l("support plan"),
    "proposed_risk": _l("proposed risk"),
    "reason": _l("reason"),
    "risk": _l("risk"),
    "roles": _l("roles"),
    "rows": _l("rows"),
    "rule": _l("rule"),
    "schema_version": _l("schema version"),
    "size": _l("size"),
    "starts_at": _l("starts"),
    "status": _l("status"),
    "statuses": _l("attendance"),
    "task": _l("task"),
    "task_id": _l("task"),
    "task_ids": _l("tasks"),
    "tasks": _l("tasks"),
    "to": _l("to"),
    "trigger": _l("step"),
    "until": _l("until"),
    "urgency": _l("proposed urgency"),
    "user": _l("user"),
    "users": _l("users"),
    "version": _l("version"),
    "withheld": _l("not stored (not ids or codes)"),
    "year": _l("year"),
}

#: Reason codes of sign-in events.
REASON_LABELS = {
    "unknown_user": _l("unknown e-mail"),
    "locked": _l("account locked"),
    "inactive": _l("account deactivated"),
    "wrong_password": _l("wrong password"),
    "wrong_current_password": _l("wrong current password"),
    "locked_password_change": _l("account locked"),
    "idle": _l("inactivity"),
}


def action_label(code: str | None) -> str:
    """The words for an action code; the code itself for one without a label."""
    label = ACTION_LABELS.get(code or "")
    return str(label) if label is not None else (code or "")


def is_read(code: str | None) -> bool:
    """Whether the action reads (opens, downloads, exports) rather than changes."""
    return code in READ_ACTIONS
