"""The minutes (protokols) of an approved meeting as an official document, PDF and DOCX.

Laid out after the requisites of Cabinet Regulation No. 558 (2018) "Dokumentu izstrādāšanas un
noformēšanas kārtība": the author (municipality and group), the document type ("PROTOKOLS"),
the place and date of creation, the registration number (a field the municipality's document
system fills in), the title, the text (place, start and end, chair and minute-taker,
participants by institution and who was absent or excused, the agenda, the course of the
meeting, then per agenda item what was discussed and concluded with the decisions (numbers,
responsible institutions, deadlines) and tasks of that item, the decisions and tasks of no item,
the client's and child's part), the approval trail, and the signature block of the chair and
the minute-taker, with the marking of a document signed with a secure electronic signature
(eParaksts). The PDF is PDF/A-3b and tagged, so it can be archived and signed.

The content comes from ``minutes_document``, which reads only the meeting's own records: a
strategic group's minutes name cases by number only, and never read a case's persons, so no
child's name can come into them from the case file. Access is the meeting page's
(``get_meeting_or_404``); only approved minutes are a document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casework.cases.models import Case
from casework.extensions import db
from casework.groups.models import AgendaItem, Attendance, Decision, Meeting
from casework.orgs.models import INSTITUTION_KIND_LABELS, InstitutionKind
from casework.tasks.models import Task
from workflows.policy import RIGA


@dataclass
class MinutesDocument:
    """Everything the minutes show, as plain texts in the reader's language."""

    municipality: str
    group: str
    group_kind: str
    number: int
    year: int
    date: str
    place: str
    starts: str
    ends: str
    chair: str
    minute_taker: str
    title: str
    present: list[tuple[str, list[str]]] = field(default_factory=list)  # institution, names
    absent: list[tuple[str, str, str]] = field(default_factory=list)  # name, institution, why
    # Each item: kind, text, case number, its minutes, its decisions and tasks.
    agenda: list[dict] = field(default_factory=list)
    course: str = ""  # the general part of the minutes
    unlinked_decisions: list[dict] = field(default_factory=list)
    unlinked_tasks: list[dict] = field(default_factory=list)
    participation: list[tuple[str, str]] = field(default_factory=list)
    approved_by: str = ""
    approved_at: str = ""


def _day(moment: datetime | None) -> str:
    return moment.astimezone(RIGA).strftime("%d.%m.%Y") if moment else ""


def _time(moment: datetime | None) -> str:
    return moment.astimezone(RIGA).strftime("%H:%M") if moment else ""


def _kind_label(kind: str) -> str:
    try:
        return str(INSTITUTION_KIND_LABELS[InstitutionKind(kind)])
    except ValueError:
        return kind


def meeting_number(meeting: Meeting) -> int:
    """The meeting's ordinal among the group's held meetings of its year (Nr. 1, 2...)."""
    year = meeting.starts_at.astimezone(RIGA).year
    start = datetime(year, 1, 1, tzinfo=RIGA)
    return db.session.scalar(
        select(func.count()).select_from(Meeting)
        .where(Meeting.group_id == meeting.group_id,
               Meeting.status.in_(("held", "minutes_approved")),
               Meeting.starts_at >= start, Meeting.starts_at <= meeting.starts_at)) or 1


def _decision_row(decision: Decision) -> dict:
    return {"number": decision.number or "", "text": decision.text,
            "responsible": decision.responsible_institution.name
            if decision.responsible_institution else "",
            "due": decision.due_date.strftime("%d.%m.%Y") if decision.due_date else ""}


def _task_row(task: Task) -> dict:
    return {"title": task.title, "assignee": task.assignee.full_name,
            "institution": task.assignee_institution.name,
            "due": task.due_date.strftime("%d.%m.%Y")}


def minutes_document(meeting: Meeting) -> MinutesDocument:
    """The content of the minutes of ``meeting`` (approved), without any case's persons."""
    from casework.orgs.models import Municipality

    group = meeting.group
    municipality = db.session.scalar(select(Municipality.name).where(
        Municipality.id == group.municipality_id)) or ""
    attendance = db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id)
        .options(selectinload(Attendance.user), selectinload(Attendance.institution))
        .order_by(Attendance.id)).all()
    present: dict[str, list[str]] = {}
    absent = []
    why = {"excused": _("excused"), "absent": _("absent"), "invited": _("did not attend")}
    for row in attendance:
        inst = f"{row.institution.name} ({_kind_label(row.institution.kind)})"
        if row.status == "attended":
            present.setdefault(inst, []).append(row.user.full_name)
        else:
            absent.append((row.user.full_name, inst, str(why.get(row.status, row.status))))
    decisions = db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id)
        .options(selectinload(Decision.responsible_institution))
        .order_by(Decision.seq, Decision.id)).all()
    tasks = db.session.scalars(
        select(Task).where(Task.meeting_id == meeting.id)
        .options(selectinload(Task.assignee), selectinload(Task.assignee_institution))
        .order_by(Task.due_date, Task.id)).all()
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                               .order_by(AgendaItem.position, AgendaItem.id)).all()
    numbers = dict(db.session.execute(
        select(Case.id, Case.number).where(Case.id.in_({i.case_id for i in items
                                                       if i.case_id} or {0}))).all())
    agenda = []
    for item in items:
        agenda.append({
            "kind": _("Goal") if item.kind == "goal" else _("Item"),
            "text": item.text,
            "case": numbers.get(item.case_id, ""),
            "minutes": item.minutes or "",
            "decisions": [_decision_row(d) for d in decisions if d.agenda_item_id == item.id],
            "tasks": [_task_row(t) for t in tasks if t.agenda_item_id == item.id],
        })
    linked = {i.id for i in items}
    participation = []
    if group.kind == "interprofessional":
        yes, no = _("yes"), _("no")
        for label, value in ((_("The client took part"), meeting.client_took_part),
                             (_("The client was informed of the decisions"),
                              meeting.client_informed),
                             (_("The child took part"), meeting.child_took_part),
                             (_("The child was informed of the decisions"),
                              meeting.child_informed)):
            participation.append((label, yes if value else no))
        for label, value in ((_("The client's opinion"), meeting.client_opinion),
                             (_("The child's opinion"), meeting.child_opinion)):
            if value:
                participation.append((label, value))
    approver = meeting.minutes_approved_by
    return MinutesDocument(
        municipality=municipality, group=group.display_name, group_kind=group.kind,
        number=meeting_number(meeting), year=meeting.starts_at.astimezone(RIGA).year,
        date=_day(meeting.starts_at), place=meeting.place or (
            _("online meeting") if meeting.online_link else ""),
        starts=_time(meeting.starts_at), ends=_time(meeting.ends_at),
        chair=meeting.chair.full_name if meeting.chair else "",
        minute_taker=meeting.minute_taker.full_name if meeting.minute_taker else "",
        title=meeting.title or group.display_name,
        present=sorted(present.items()), absent=absent, agenda=agenda,
        course=meeting.minutes or "",
        unlinked_decisions=[_decision_row(d) for d in decisions
                            if d.agenda_item_id not in linked],
        unlinked_tasks=[_task_row(t) for t in tasks if t.agenda_item_id not in linked],
        participation=participation,
        approved_by=approver.full_name if approver else "",
        approved_at=f"{_day(meeting.minutes_approved_at)} {_time(meeting.minutes_approved_at)}")


def to_pdf(doc: MinutesDocument) -> bytes:
    """The minutes as a tagged PDF/A-3b document (fonts embedded)."""
    from weasyprint import HTML

    html = render_template("groups/minutes_pdf.html", doc=doc)
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)


def to_docx(doc: MinutesDocument) -> bytes:
    """The minutes as a Word document with the same requisites, for editing and signing."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    word = Document()
    style = word.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    def para(text: str = "", *, bold: bool = False, center: bool = False, size: int | None = None):
        p = word.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    para(doc.municipality.upper(), bold=True, center=True, size=14)
    para(doc.group, center=True)
    para(_("MINUTES"), bold=True, center=True, size=14)
    para(f"{doc.municipality}", center=True)
    para(f"{doc.date}    {_('No.')} {doc.number}    {_('Reg. No.')} ________")
    para(doc.title, bold=True)
    para(f"{_('Place')}: {doc.place}")
    para(f"{_('Started at')} {doc.starts}, {_('ended at')} {doc.ends}")
    para(f"{_('Chair')}: {doc.chair}")
    para(f"{_('Minute-taker')}: {doc.minute_taker}")
    para(_("Present"), bold=True)
    for institution, names in doc.present:
        para(f"{institution}: {', '.join(names)}")
    if doc.absent:
        para(_("Absent"), bold=True)
        for name, institution, why in doc.absent:
            para(f"{name}, {institution} — {why}")
    para(_("Agenda"), bold=True)
    for i, item in enumerate(doc.agenda, 1):
        case = f" ({_('case')} {item['case']})" if item["case"] else ""
        para(f"{i}. {item['kind']}: {item['text']}{case}")
    def text(value: str) -> None:
        for line in value.splitlines() or ["—"]:
            para(line)

    def decided(rows: list[dict]) -> None:
        for d in rows:
            para(f"{d['number']}. {d['text']} — {_('responsible')}: {d['responsible'] or '—'}, "
                 f"{_('deadline')}: {d['due'] or '—'}")

    def tasks(rows: list[dict]) -> None:
        for t in rows:
            para(f"{t['title']} — {t['assignee']} ({t['institution']}), {_('deadline')}: "
                 f"{t['due']}")

    para(_("Course of the meeting"), bold=True)
    if doc.course or not doc.agenda:
        text(doc.course or "—")
    # Per agenda item: what was discussed and concluded, then what was decided on it.
    for i, item in enumerate(doc.agenda, 1):
        case = f" ({_('case')} {item['case']})" if item["case"] else ""
        para(f"{i}. {item['kind']}: {item['text']}{case}", bold=True)
        text(item["minutes"] or "—")
        if item["decisions"]:
            para(f"{_('Decided')}:")
            decided(item["decisions"])
        if item["tasks"]:
            para(f"{_('Tasks')}:")
            tasks(item["tasks"])
    any_decision = doc.unlinked_decisions or any(item["decisions"] for item in doc.agenda)
    if doc.unlinked_decisions or not any_decision:
        para(_("Decided"), bold=True)
        decided(doc.unlinked_decisions)
        if not doc.unlinked_decisions:
            para("—")
    if doc.unlinked_tasks:
        para(_("Tasks"), bold=True)
        tasks(doc.unlinked_tasks)
    if doc.participation:
        para(_("The client's part"), bold=True)
        for label, value in doc.participation:
            para(f"{label}: {value}")
    para(f"{_('Minutes approved')}: {doc.approved_at}, {doc.approved_by}")
    para()
    para(f"{_('Chair')} ____________________ {doc.chair}")
    para(f"{_('Minute-taker')} ____________________ {doc.minute_taker}")
    para()
    para(_("THIS DOCUMENT IS SIGNED WITH A SECURE ELECTRONIC SIGNATURE AND CONTAINS A TIME "
           "STAMP"), size=9)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
