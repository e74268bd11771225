"""Reads of documents, always scoped to what the user may see (deny by default, in SQL).

A document is seen by whoever sees the content of its group (for a case's documents: whoever
sees the case; ``casework.groups.queries.group_content_visibility``), narrowed by its
confidentiality level with the same rule as notes (``casework.cases.queries
.confidentiality_rule``). The "case manager" of a strategic group's document is the group's
lead. Anything else is "not found".
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import joinedload

from casework.cases.models import Case
from casework.cases.queries import confidentiality_rule
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import CooperationGroup
from casework.groups.queries import group_content_visibility


def _managed_groups(user):
    """Ids of the groups whose documents ``user`` reads at every level: the interprofessional
    groups of the cases they manage and the strategic groups they lead."""
    return (select(CooperationGroup.id)
            .outerjoin(Case, Case.id == CooperationGroup.case_id)
            .where(or_(and_(CooperationGroup.kind == "interprofessional",
                            Case.case_manager_id == user.id),
                       and_(CooperationGroup.kind == "strategic",
                            CooperationGroup.lead_id == user.id))))


def document_visibility(user):
    """The SQL condition "``user`` may see and download this document"."""
    if not user.is_authenticated or user.municipality_id is None:
        return false()
    return and_(
        Document.municipality_id == user.municipality_id,
        Document.group_id.in_(select(CooperationGroup.id)
                              .where(group_content_visibility(user))),
        confidentiality_rule(user, manager=Document.group_id.in_(_managed_groups(user)),
                             level=Document.level, author_id=Document.uploaded_by_id,
                             author_institution_id=Document.uploader_institution_id),
    )


def visible_documents(user):
    """A select of the documents ``user`` may see, newest first, with their uploaders."""
    return (select(Document).where(document_visibility(user))
            .options(joinedload(Document.uploaded_by),
                     joinedload(Document.uploader_institution))
            .order_by(Document.uploaded_at.desc(), Document.id.desc()))


def documents_of(user, *, case=None, meeting=None, decision=None, task=None):
    """The visible documents of a case (with those of its group's meetings and decisions), a
    meeting, a decision or a task's completion: one query."""
    stmt = visible_documents(user)
    if case is not None:
        return stmt.where(Document.case_id == case.id)
    if meeting is not None:
        return stmt.where(Document.meeting_id == meeting.id)
    if decision is not None:
        return stmt.where(Document.decision_id == decision.id)
    if task is not None:
        return stmt.where(Document.task_id == task.id)
    return stmt.where(false())


def get_document_or_404(document_id: int, user) -> Document:
    """The document if ``user`` may see it; otherwise 404 (never 403)."""
    found = db.session.scalar(select(Document).where(Document.id == document_id,
                                                     document_visibility(user)))
    if found is None:
        abort(404)
    return found
