"""Audit events in words: who (a name), what (an action in the reader's language), on what
(a case number, a meeting's title, a person's name) and the details as a sentence.

The log keeps ids and codes only; the names are looked up when the log is read, in bulk for a
whole page (one query per kind of object, whatever the number of rows) and only within the
reader's municipality: an id of another municipality stays an id. The persons of a case (the
child, the parents) are never named here: the log is not a way into a case's content.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from casework.audit import labels
from casework.auth.models import User
from casework.cases.models import Case
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.orgs.models import Institution
from casework.tasks.models import Task
from workflows import annual_report, case_lifecycle, meeting, pick_label, risk_profile, task
from workflows import decision as decision_workflow

#: Detail keys by the kind of object their ids name.
USER_KEYS = {"user", "users", "member", "assignee_id", "lead"}
CASE_KEYS = {"case_id"}
MEETING_KEYS = {"meeting", "meeting_id"}
DECISION_KEYS = {"decision_id"}
INSTITUTION_KEYS = {"institution", "institution_id"}
GROUP_KEYS = {"group"}
TASK_KEYS = {"task", "task_id", "task_ids", "tasks"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

#: State and code words of every workflow, for "from"/"to"/"status"/"risk" values.
_STATE_TABLES = (case_lifecycle.STATUS_LABELS, risk_profile.RISK_LABELS,
                 meeting.STATUS_LABELS, decision_workflow.STATUS_LABELS, task.STATUS_LABELS,
                 annual_report.STATUS_LABELS)


@dataclass
class ReadableEvent:
    """One event ready to show or export."""

    event: object
    who: str
    action: str
    is_read: bool
    object_kind: str
    object_text: str
    case_id: int | None
    #: The number of the case the object belongs to (or is), if any.
    case_number: str
    details: str

    @property
    def id(self) -> int:
        return self.event.id


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _ids(value) -> list[int]:
    values = value if isinstance(value, list | tuple) else [value]
    return [n for n in (_int(v) for v in values) if n is not None]


class Names:
    """The names of the objects a page of events refers to, looked up in bulk."""

    def __init__(self, municipality_id: int | None, events):
        wanted: dict[str, set[int]] = defaultdict(set)
        for e in events:
            if e.user_id:
                wanted["User"].add(e.user_id)
            if e.object_type and _int(e.object_id):
                wanted[e.object_type].add(_int(e.object_id))
            for key, value in (e.details or {}).items():
                kind = self._kind_of_key(e.action, key)
                if kind == "User" and key == "statuses" and isinstance(value, dict):
                    wanted[kind].update(_ids(list(value)))
                elif kind:
                    wanted[kind].update(_ids(value))
        self.municipality_id = municipality_id
        self.users = self._users(wanted["User"])
        self.institutions = self._pairs(Institution.id, Institution.name, wanted["Institution"],
                                        Institution.municipality_id == municipality_id)
        self.groups = self._pairs(CooperationGroup.id, CooperationGroup.name,
                                  wanted["CooperationGroup"],
                                  CooperationGroup.municipality_id == municipality_id)
        self.meetings = self._meetings(wanted["Meeting"])
        self.decisions = self._decisions(wanted["Decision"])
        self.documents = self._belonging(Document, wanted["Document"])
        self.tasks = self._belonging(Task, wanted["Task"])
        # The case numbers of the meetings, decisions, documents and tasks too, in the same
        # one query.
        wanted["Case"].update(n for n in (*self.documents.values(), *self.tasks.values()) if n)
        wanted["Case"].update(c for _t, c in (*self.meetings.values(), *self.decisions.values())
                              if c)
        self.cases = self._pairs(Case.id, Case.number, wanted["Case"],
                                 Case.municipality_id == municipality_id)

    @staticmethod
    def _kind_of_key(action: str, key: str) -> str | None:
        if key in ("from", "to") and action == "case_reassigned":
            return "User"
        if key == "statuses":
            return "User"
        if key in USER_KEYS:
            return "User"
        if key in CASE_KEYS:
            return "Case"
        if key in MEETING_KEYS:
            return "Meeting"
        if key in DECISION_KEYS:
            return "Decision"
        if key in INSTITUTION_KEYS:
            return "Institution"
        if key in GROUP_KEYS:
            return "CooperationGroup"
        if key in TASK_KEYS:
            return "Task"
        return None

    def _pairs(self, key_col, value_col, ids, scope) -> dict[int, str]:
        if not ids:
            return {}
        return dict(db.session.execute(select(key_col, value_col)
                                       .where(key_col.in_(ids), scope)).all())

    def _users(self, ids) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.session.execute(
            select(User.id, User.full_name, User.email)
            .join(Institution, Institution.id == User.institution_id, isouter=True)
            .where(User.id.in_(ids), Institution.municipality_id == self.municipality_id)).all()
        return {r.id: r.full_name or r.email for r in rows}

    def _meetings(self, ids) -> dict[int, tuple[str, int | None]]:
        if not ids:
            return {}
        rows = db.session.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at, CooperationGroup.name,
                   CooperationGroup.case_id)
            .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
            .where(Meeting.id.in_(ids),
                   CooperationGroup.municipality_id == self.municipality_id)).all()
        out = {}
        for r in rows:
            when = format_datetime(r.starts_at, "dd.MM.yyyy")
            title = r.title or r.name
            out[r.id] = (f"{title} ({when})", r.case_id)
        return out

    def _decisions(self, ids) -> dict[int, tuple[str, int | None]]:
        if not ids:
            return {}
        rows = db.session.execute(
            select(Decision.id, Decision.number, CooperationGroup.name,
                   CooperationGroup.case_id)
            .join(CooperationGroup, CooperationGroup.id == Decision.group_id)
            .where(Decision.id.in_(ids),
                   CooperationGroup.municipality_id == self.municipality_id)).all()
        return {r.id: (_("No. %(number)s, %(group)s", number=r.number or "—", group=r.name),
                       r.case_id) for r in rows}

    def _belonging(self, model, ids) -> dict[int, int | None]:
        """Documents and tasks: no title (it may name a person), only the case they
        belong to."""
        if not ids:
            return {}
        return dict(db.session.execute(
            select(model.id, model.case_id)
            .where(model.id.in_(ids), model.municipality_id == self.municipality_id)).all())

    # -- words ---------------------------------------------------------------------------
    def user(self, user_id) -> str:
        n = _int(user_id)
        return self.users.get(n) or (_("user no. %(id)s", id=user_id) if user_id else "—")

    def case(self, case_id) -> str:
        n = _int(case_id)
        return self.cases.get(n) or _("case no. %(id)s", id=case_id)

    def object(self, kind: str | None, object_id: str | None) -> tuple[str, int | None]:
        """The text for an event's object, and the id of the case it belongs to, if any."""
        if not kind:
            return "", None
        n = _int(object_id)
        if kind == "Case":
            return (self.cases[n], n) if n in self.cases else (self.case(object_id), None)
        if kind == "User":
            return self.user(object_id), None
        if kind == "Institution":
            return self.institutions.get(n, f"#{object_id}"), None
        if kind == "CooperationGroup":
            return self.groups.get(n, f"#{object_id}"), None
        if kind == "Meeting" and n in self.meetings:
            return self.meetings[n]
        if kind == "Decision" and n in self.decisions:
            return self.decisions[n]
        if kind in ("Document", "Task") and n in (self.documents if kind == "Document"
                                                  else self.tasks):
            return f"#{object_id}", (self.documents if kind == "Document" else self.tasks)[n]
        return f"#{object_id}" if object_id else "", None

    def value(self, action: str, key: str, value) -> str:
        """One detail value in words."""
        kind = self._kind_of_key(action, key)
        if key == "statuses" and isinstance(value, dict):
            return ", ".join(f"{self.user(k)}: {_state(v)}" for k, v in value.items())
        if kind == "User":
            return ", ".join(self.user(v) for v in _ids(value)) or "—"
        if kind == "Case":
            return ", ".join(self.case(v) for v in _ids(value)) or "—"
        if kind == "Meeting":
            return ", ".join(self.meetings.get(v, (f"#{v}",))[0] for v in _ids(value)) or "—"
        if kind == "Decision":
            return ", ".join(self.decisions.get(v, (f"#{v}",))[0] for v in _ids(value)) or "—"
        if kind == "Institution":
            return ", ".join(self.institutions.get(v, f"#{v}") for v in _ids(value)) or "—"
        if kind == "CooperationGroup":
            return ", ".join(self.groups.get(v, f"#{v}") for v in _ids(value)) or "—"
        if key == "reason" and value in labels.REASON_LABELS:
            return str(labels.REASON_LABELS[value])
        if key == "withheld" and isinstance(value, list):
            return ", ".join(_detail_label(v) for v in value)
        return _plain(value)


def _state(value) -> str:
    locale = str(get_locale() or "lv")
    for table in _STATE_TABLES:
        if isinstance(value, str) and value in table:
            return pick_label(table[value], locale)
    return _plain(value)


def _detail_label(key: str) -> str:
    label = labels.DETAIL_LABELS.get(key)
    return str(label) if label is not None else key


def _plain(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "dd.MM.yyyy HH:mm")
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return format_date(date.fromisoformat(value), "dd.MM.yyyy")
        except ValueError:
            return value
    if isinstance(value, str):
        return _state(value) if any(value in t for t in _STATE_TABLES) else value
    return str(value)


def _sentence(names: Names, event) -> str:
    """The details of an event as one sentence: "from A to B; count: 3."."""
    details = dict(event.details or {})
    parts = []
    if "from" in details and "to" in details:
        parts.append(_("from %(a)s to %(b)s",
                       a=names.value(event.action, "from", details.pop("from")),
                       b=names.value(event.action, "to", details.pop("to"))))
    for key, value in details.items():
        if value is None or value == [] or value == {}:
            continue
        parts.append(f"{_detail_label(key)}: {names.value(event.action, key, value)}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def user_names(municipality_id: int | None, ids) -> dict[int, str]:
    """The names of these users of the municipality (one query)."""
    names = Names(municipality_id, [])
    return names._users({n for n in ids if n})


def readable(events, municipality_id: int | None) -> list[ReadableEvent]:
    """``events`` (one page) in words, with a constant number of queries."""
    events = list(events)
    names = Names(municipality_id, events)
    out = []
    for e in events:
        text, case_id = names.object(e.object_type, e.object_id)
        kind = labels.OBJECT_LABELS.get(e.object_type or "")
        out.append(ReadableEvent(
            event=e, who=names.user(e.user_id) if e.user_id else _("system"),
            action=labels.action_label(e.action), is_read=labels.is_read(e.action),
            object_kind=str(kind) if kind is not None else (e.object_type or ""),
            object_text=text, case_id=case_id,
            case_number=names.cases.get(case_id, "") if case_id else "",
            details=_sentence(names, e)))
    return out
