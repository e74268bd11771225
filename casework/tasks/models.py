"""Task (DESIGN.md §3): overdue is derived from the due date, never stored."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution


class Task(db.Model):
    """A task with an owner and a deadline, linked to a case, a meeting or a decision."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status_valid"),
        Index("ix_task_municipality_issued_at", "municipality_id", "issued_at"),
        # An institution's open tasks by deadline (the head of service's start page and list).
        Index("ix_task_institution_status_due", "assignee_institution_id", "status",
              "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # What the system created the task for (``convene``: convene the case's group), so that a
    # rule can find it again; None for tasks people write.
    kind: Mapped[str | None] = mapped_column(String(20), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assignee_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    completion_note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A task written into the minutes is issued when they are approved; until then it is a
    # draft that nobody is chased for. Tasks created elsewhere are issued at once.
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What the scheduler has told (casework.jobs.sweeps): the due date of which the assignee
    # was reminded, told it is overdue, and the lead told it is overdue (or found it has no
    # lead but the assignee; a new lead, by reassigning the case, clears it); None: never.
    # Only a filter, so that a steady sweep reads no task it has told of (the notifications'
    # unique keys are the record); a new due date differs from them, and is told again.
    due_told_on: Mapped[date | None] = mapped_column(Date)
    overdue_told_on: Mapped[date | None] = mapped_column(Date)
    lead_told_on: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": version}

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    assignee_institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status} due {self.due_date}>"


def chased_untold(told_on):
    """SQL: an open issued task whose due date has not been told of (``told_on``, one of the
    markers): the condition of the partial indexes below, which the sweeps repeat word for
    word (the status as a literal, so that the planner can match it with the index's)."""
    return and_(Task.status == literal_column("'open'"), Task.issued_at.is_not(None),
                told_on.is_distinct_from(Task.due_date))


# The tasks a sweep still has to tell of, in the sweeps' order (due date, id): in a steady run
# none is due.
for _name, _marker in (("due", Task.due_told_on), ("overdue", Task.overdue_told_on),
                      ("lead", Task.lead_told_on)):
    Index(f"ix_task_{_name}_untold", Task.due_date, Task.id,
          postgresql_where=chased_untold(_marker), sqlite_where=chased_untold(_marker))
