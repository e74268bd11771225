"""Reads of the audit log, scoped to the reader's municipality (deny by default).

Lists are paged by a keyset (the id of the last row shown, and the sort column's value at
that row), never by OFFSET, so that the thousandth page costs what the first does on a log of
millions of rows. Each filter and sort is served by an index of ``audit_event``.

"Who has seen this case" is answered from the sealed columns of the log only
(``object_type``/``object_id``): events on the case itself and on what belongs to it (its
group, the group's meetings and decisions, the case's documents, tasks and referrals).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from flask import abort
from sqlalchemy import String, and_, cast, false, func, or_, select, true
from sqlalchemy.orm import aliased

from casework.audit.models import AuditEvent
from casework.auth.models import Role, User
from casework.cases.models import Case, Referral
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.listing import contains_pattern
from casework.orgs.models import Institution
from casework.tasks.models import Task
from workflows.policy import RIGA

PER_PAGE = 50

#: The author of an event, joined for the sort by user name (an alias, so that a select that
#: already joins ``User`` is not confused).
_AUTHOR = aliased(User, name="audit_author")


@dataclass(frozen=True)
class Sort:
    """An order of the list: its keys, the last always the event id so that the order is total,
    and whether it runs downwards. ``nullable`` names the keys that may have no value (an
    event of the system has no user, a login no object); such rows come last going up and
    first going down, the order of a PostgreSQL index read either way."""

    keys: tuple
    descending: bool
    nullable: frozenset[int] = frozenset()
    joins_author: bool = False

    def reverse(self) -> Sort:
        return replace(self, descending=not self.descending)


_BY_TIME = Sort((AuditEvent.id,), True)
_BY_ACTION = Sort((AuditEvent.action, AuditEvent.id), False)
# Grouped by the name shown, then by the person (two people of the same name are not mixed).
_BY_USER = Sort((_AUTHOR.full_name, AuditEvent.user_id, AuditEvent.id), False,
                nullable=frozenset({0, 1}), joins_author=True)
_BY_OBJECT = Sort((AuditEvent.object_type, AuditEvent.object_id, AuditEvent.id), False,
                  nullable=frozenset({0, 1}))

#: Sort keys of the list. ``id`` follows the order in which events were written (the chain's
#: order), so it stands for the time.
SORTS = {
    "-at": _BY_TIME,
    "at": _BY_TIME.reverse(),
    "action": _BY_ACTION,
    "-action": _BY_ACTION.reverse(),
    "user": _BY_USER,
    "-user": _BY_USER.reverse(),
    "object": _BY_OBJECT,
    "-object": _BY_OBJECT.reverse(),
}
DEFAULT_SORT = "-at"


@dataclass
class AuditFilters:
    """What the reader narrowed the list to; every field optional."""

    user: str | None = None
    user_id: int | None = None
    case_number: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    flagged: bool = False
    #: The case the number names, if it is a case of the reader's municipality.
    case_id: int | None = field(default=None, repr=False)

    @property
    def any(self) -> bool:
        """Whether any filter is set (an empty list then says "nothing matches")."""
        return bool(self.user or self.user_id or self.case_number or self.action
                    or self.date_from or self.date_to or self.flagged)

    def codes(self) -> dict:
        """The filters as audit details: ids, codes and dates only (no typed search text)."""
        out = {"case_id": self.case_id, "user": self.user_id, "status": self.action,
               "from": self.date_from.isoformat() if self.date_from else None,
               "to": self.date_to.isoformat() if self.date_to else None,
               "kind": "flagged" if self.flagged else None}
        return {k: v for k, v in out.items() if v is not None}


def _riga_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=RIGA)


def users_matching(municipality_id: int, text: str):
    """A select of the ids of the municipality's users whose name or e-mail contains
    ``text`` (any case)."""
    pattern = contains_pattern(text.lower())
    return (select(User.id).join(Institution, Institution.id == User.institution_id)
            .where(Institution.municipality_id == municipality_id,
                   or_(func.lower(User.full_name).like(pattern, escape="\\"),
                       func.lower(User.email).like(pattern, escape="\\"))))


def case_by_number(municipality_id: int, number: str) -> Case | None:
    """The municipality's case with this number, or None."""
    return db.session.scalar(select(Case).where(Case.municipality_id == municipality_id,
                                                Case.number == number.strip()))


def _ids_as_text(column):
    return cast(column, String(64))


def case_events_clause(case_id: int):
    """The SQL condition "this event concerns the case": the case itself, its groups, their
    meetings and decisions, and the case's documents, tasks and referrals."""
    groups = select(CooperationGroup.id).where(CooperationGroup.case_id == case_id)
    related = {
        "CooperationGroup": select(_ids_as_text(CooperationGroup.id))
        .where(CooperationGroup.case_id == case_id),
        "Meeting": select(_ids_as_text(Meeting.id)).where(Meeting.group_id.in_(groups)),
        "Decision": select(_ids_as_text(Decision.id)).where(Decision.group_id.in_(groups)),
        "Document": select(_ids_as_text(Document.id))
        .where(or_(Document.case_id == case_id, Document.group_id.in_(groups))),
        "Task": select(_ids_as_text(Task.id)).where(Task.case_id == case_id),
        "Referral": select(_ids_as_text(Referral.id)).where(Referral.case_id == case_id),
    }
    return or_(
        and_(AuditEvent.object_type == "Case", AuditEvent.object_id == str(case_id)),
        *(and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
          for kind, ids in related.items()),
    )


def audit_events_of(user, filters: AuditFilters | None = None, *, action: str | None = None):
    """A select of the audit events of the user's municipality narrowed by ``filters``
    (unordered; ``keyset_page`` orders and pages it)."""
    if user.municipality_id is None:
        return select(AuditEvent).where(false())
    filters = filters or AuditFilters(action=action)
    stmt = select(AuditEvent).where(AuditEvent.municipality_id == user.municipality_id)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.flagged:
        stmt = stmt.where(AuditEvent.flagged.is_(True))
    if filters.user_id:
        stmt = stmt.where(AuditEvent.user_id == filters.user_id)
    if filters.user:
        stmt = stmt.where(AuditEvent.user_id.in_(users_matching(user.municipality_id,
                                                                 filters.user)))
    if filters.case_number:
        found = case_by_number(user.municipality_id, filters.case_number)
        filters.case_id = found.id if found else None
        stmt = stmt.where(case_events_clause(found.id) if found else false())
    if filters.date_from:
        stmt = stmt.where(AuditEvent.at >= _riga_midnight(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.at < _riga_midnight(filters.date_to + timedelta(days=1)))
    return stmt


@dataclass
class Page:
    """One page of a keyset-paged list: its rows and the cursors to the pages beside it."""

    items: list
    newer: int | None = None
    older: int | None = None
    first: bool = True


def _beyond(key, value, down: bool, nullable: bool):
    """The SQL condition "``key`` comes strictly after ``value``" in the walking direction."""
    if value is None:  # no value is the last going up, the first going down
        return key.is_not(None) if down else false()
    if down:
        return key < value
    return or_(key > value, key.is_(None)) if nullable else key > value


def _same(key, value):
    return key.is_(None) if value is None else key == value


def _after_cursor(order: Sort, values, down: bool):
    """Rows strictly after the row whose keys are ``values``: the keys compared in turn,
    each only where the ones before it tie."""
    alternatives, ties = [], []
    for n, (key, value) in enumerate(zip(order.keys, values, strict=True)):
        alternatives.append(and_(*ties, _beyond(key, value, down, n in order.nullable)))
        ties.append(_same(key, value))
    clause = or_(*alternatives)
    first, lead = order.keys[0], values[0]
    # The same first alternative as a plain range too, so that an index on the first key
    # starts at the cursor instead of reading every row before it.
    if lead is None and not down:
        return and_(first.is_(None), clause)
    if lead is not None and (down or 0 not in order.nullable):
        return and_(first <= lead if down else first >= lead, clause)
    return clause


def _ordering(order: Sort, down: bool) -> list:
    terms = []
    for n, key in enumerate(order.keys):
        term = key.desc() if down else key.asc()
        if n in order.nullable:
            term = term.nulls_first() if down else term.nulls_last()
        terms.append(term)
    return terms


def keyset_page(stmt, *, sort: str = DEFAULT_SORT, after: int | None = None,
                before: int | None = None, per_page: int = PER_PAGE) -> Page:
    """The page of ``stmt`` (a select of ``AuditEvent``) that follows the row ``after`` or
    precedes the row ``before`` in the order ``sort`` (an unknown one is the default); the
    first page without either.

    The cursor is an event id; the sort keys' values at that event are read from the table
    (one query), so a link carries nothing but the id; a cursor that names no event gives the
    first page. Rows are ``per_page`` + 1 to know whether another page follows, through the
    index on (municipality, sort columns, id).
    """
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    backwards = before is not None and after is None
    cursor = before if backwards else after
    down = order.descending != backwards
    if order.joins_author:
        stmt = stmt.outerjoin(_AUTHOR, _AUTHOR.id == AuditEvent.user_id)
    if cursor is not None:
        if order.keys == (AuditEvent.id,):
            stmt = stmt.where(AuditEvent.id < cursor if down else AuditEvent.id > cursor)
        else:
            at_cursor = select(*order.keys).where(AuditEvent.id == cursor)
            if order.joins_author:
                at_cursor = at_cursor.select_from(AuditEvent).outerjoin(
                    _AUTHOR, _AUTHOR.id == AuditEvent.user_id)
            values = db.session.execute(at_cursor).first()
            if values is None:
                cursor = None
            else:
                stmt = stmt.where(_after_cursor(order, tuple(values), down))
    stmt = stmt.order_by(*_ordering(order, down))
    rows = list(db.session.scalars(stmt.limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        return Page(rows, newer=rows[0].id if rows and more else None,
                    older=rows[-1].id if rows else None, first=not more)
    return Page(rows, newer=rows[0].id if rows and cursor is not None else None,
                older=rows[-1].id if rows and more else None, first=cursor is None)


def iter_events(stmt, *, sort: str = DEFAULT_SORT, batch: int = 1000):
    """Every event of ``stmt`` in the order ``sort``, read by keyset in batches (an export
    of a long log does not hold it all in memory, nor page by OFFSET)."""
    after = None
    while True:
        page = keyset_page(stmt, sort=sort, after=after, per_page=batch)
        yield from page.items
        if page.older is None:
            return
        after = page.older
        db.session.expunge_all()


# -- who has seen this case -------------------------------------------------------------------
def access_log_visibility(user):
    """The SQL condition "``user`` may see who has seen this case": the case's manager, the
    head of the social service that owns it, and the municipality's data protection officer.
    Nobody else (not the group's specialists, not break-glass)."""
    if not user.is_authenticated or user.municipality_id is None:
        return false()
    allowed = [Case.case_manager_id == user.id]
    if user.has_role(Role.HEAD_OF_SERVICE) and user.institution_id is not None:
        allowed.append(Case.owner_institution_id == user.institution_id)
    if user.has_role(Role.AUDITOR):
        allowed.append(true())
    return and_(Case.municipality_id == user.municipality_id, or_(*allowed))


def get_access_log_case_or_404(case_id: int, user) -> Case:
    """The case whose access log ``user`` may read; otherwise 404."""
    found = db.session.scalar(select(Case).where(Case.id == case_id,
                                                 access_log_visibility(user)))
    if found is None:
        abort(404)
    return found


def case_events(case: Case):
    """A select of the audit events that concern ``case`` (in its municipality)."""
    return select(AuditEvent).where(AuditEvent.municipality_id == case.municipality_id,
                                    case_events_clause(case.id))


def case_readers(case: Case) -> list:
    """Who has opened or changed the case: per user the number of events, the first and
    the last, most recent first. One grouped query."""
    stmt = (select(AuditEvent.user_id, func.count().label("events"),
                   func.min(AuditEvent.at).label("first_at"),
                   func.max(AuditEvent.at).label("last_at"))
            .where(AuditEvent.municipality_id == case.municipality_id,
                   case_events_clause(case.id))
            .group_by(AuditEvent.user_id).order_by(func.max(AuditEvent.at).desc()))
    return db.session.execute(stmt).all()
