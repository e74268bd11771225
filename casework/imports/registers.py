"""Importing the registers municipalities keep today: the case register and the decision table.

Every import runs in two steps that share one function: ``check_*`` reads and validates every
row and lists every error (row, column, message in the user's language); ``import_*`` does the
same and, only when no row has an error, writes everything in the caller's transaction, so a
file with one bad row writes nothing. The rules are the app's own: personal codes are validated
like on the person form, statuses and colours must be a state the state machines know and a
combination they allow (a red case is never closed, inactive or in follow-up; crisis is red;
only a registered case may lack a case manager; a closed case has a closing date and reason),
case numbers are unique in the municipality, and the counters of case and decision numbers
skip the imported ones. Imported cases start their history with an ``imported`` row; their
interprofessional group is created as for a new case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.audit.operations import record
from casework.auth.models import Role, User, UserRole
from casework.auth.operations import OperationRefused
from casework.cases.models import CATEGORY_LABELS, PERSON_ROLE_LABELS, Case, CasePerson
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, DecisionProgress
from casework.imports.reader import Table, UnreadableFile, read_table
from casework.orgs.models import Institution, InstitutionKind
from workflows import case_lifecycle, risk_profile
from workflows import decision as decision_machine
from workflows.policy import RIGA

#: Columns of the case register: key → the header names it is known by (Latvian first).
CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("Lietas numurs", "Lietas Nr.", "Case number"),
    "child_given_name": ("Bērna vārds", "Vārds", "Child's given name", "Given name"),
    "child_family_name": ("Bērna uzvārds", "Uzvārds", "Child's family name", "Family name"),
    "child_personal_code": ("Bērna personas kods", "Personas kods", "Personal code"),
    "child_birth_date": ("Bērna dzimšanas datums", "Dzimšanas datums", "Birth date"),
    "persons": ("Personas", "Citas personas", "Persons", "Other persons"),
    "risk": ("Riska profils", "Riska līmenis", "Risks", "Risk"),
    "status": ("Statuss", "Status"),
    "case_manager": ("Gadījuma vadītājs", "Lietas vadītājs", "Case manager"),
    "opened": ("Atvērta", "Atvēršanas datums", "Opened"),
    "closed": ("Slēgta", "Slēgšanas datums", "Closed"),
    "closure_reason": ("Slēgšanas iemesls", "Closure reason"),
    "categories": ("Kategorijas", "Kategorija", "Categories"),
}
CASE_REQUIRED = ("number", "child_given_name", "child_family_name", "risk", "status", "opened")

#: Columns of a decision table ("Nr. | Tēma | Vienošanās | Izpildes gaita" and more).
DECISION_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("Nr.", "Numurs", "Lēmuma numurs", "Number"),
    "topic": ("Tēma", "Topic"),
    "agreement": ("Vienošanās", "Lēmums", "Agreement", "Decision"),
    "progress": ("Izpildes gaita", "Progress", "Progress of execution"),
    "status": ("Statuss", "Izpildes statuss", "Status"),
    "responsible": ("Atbildīgā iestāde", "Atbildīgais", "Responsible institution"),
    "due_date": ("Termiņš", "Izpildes termiņš", "Deadline", "Due date"),
    "decided_on": ("Datums", "Lēmuma datums", "Date"),
}
DECISION_REQUIRED = ("number", "agreement")

MAX_NAME = 100
MAX_NUMBER = 16
_CASE_NUMBER = re.compile(r"(\d{4})/(\d{1,6})")
_DECISION_NUMBER = re.compile(r"(?:SG|SPG)-(\d{4})/(\d{1,6})")
_PERSON = re.compile(r"^(?P<name>[^(]+?)\s*(?:\((?P<inside>[^)]*)\))?$")


@dataclass
class RowError:
    """One problem of one row: the spreadsheet's row number, the column's header, why."""

    row: int | None
    column: str | None
    message: str


@dataclass
class ImportResult:
    """What an import found and, when ``written``, stored."""

    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    created: int = 0
    persons: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """One row being validated: typed values, and errors noted against the row."""

    def __init__(self, number: int, values: dict, columns: dict, errors: list[RowError]):
        self.number, self.values, self.columns, self.errors = number, values, columns, errors

    def error(self, key: str | None, message) -> None:
        column = self.columns[key][0] if key else None
        self.errors.append(RowError(self.number, column, str(message)))

    def text(self, key: str, limit: int, required: bool = False) -> str | None:
        value = self.values.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = None if value is None else str(value).strip() or None
        if text is None:
            if required:
                self.error(key, _l("This field is required."))
            return None
        if len(text) > limit:
            self.error(key, _l("At most %(limit)d characters.", limit=limit))
            return None
        return text

    def date(self, key: str, required: bool = False) -> date | None:
        value = self.values.get(key)
        if value is None:
            if required:
                self.error(key, _l("This field is required."))
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(key, _l("Not a date: write it as dd.mm.yyyy."))
        return parsed

    def choice(self, key: str, names: dict[str, str], required: bool = False) -> str | None:
        text = self.text(key, 200, required)
        if text is None:
            return None
        code = names.get(_fold(text))
        if code is None:
            self.error(key, _l('"%(value)s" is not one of: %(allowed)s.', value=text,
                               allowed=", ".join(sorted(set(_latvian(names))))))
        return code


def _fold(text: str) -> str:
    return " ".join(str(text).lower().split())


def parse_date(value) -> date | None:
    """A date from a spreadsheet cell: a date cell, dd.mm.yyyy, d.m.yyyy or yyyy-mm-dd;
    only years 1900–2100."""
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip().rstrip(".")
        parsed = None
        for pattern in (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
            match = re.fullmatch(pattern, text)
            if match:
                a, b, c = (int(g) for g in match.groups())
                day, month, year = (a, b, c) if "." in text else (c, b, a)
                try:
                    parsed = date(year, month, day)
                except ValueError:
                    return None
                break
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    return parsed


def _label_names(labels) -> dict[str, str]:
    """Every way a code may be written: the code itself and its Latvian and English labels
    (labels are the workflows' catalog `Label`s, read by locale, or lazy catalog strings)."""
    names: dict[str, str] = {}
    for code, label in labels.items():
        code = str(code)
        names[_fold(code)] = code
        if isinstance(label, Mapping):
            spelled = list(label.values())
        else:
            spelled = []
            for locale in ("lv", "en"):
                with force_locale(locale):
                    spelled.append(str(label))
        for text in spelled:
            names[_fold(text)] = code
    return names


def _latvian(names: dict[str, str]) -> list[str]:
    """The allowed values to show in an error: one Latvian spelling per code."""
    first: dict[str, str] = {}
    for text, code in names.items():
        if text != code and code not in first:
            first[code] = text
    return [first.get(code, code) for code in dict.fromkeys(names.values())]


def _risk_names() -> dict[str, str]:
    names = _label_names(risk_profile.RISK_LABELS)
    for code, forms in {"green": ("zaļa", "zaļais"), "yellow": ("dzeltena", "dzeltenais"),
                        "red": ("sarkana", "sarkanais")}.items():
        names.update({f: code for f in forms})
    return names


def _at_noon(day: date) -> datetime:
    """A date of the register as a moment: noon in Riga, so it stays on that date in UTC."""
    return datetime.combine(day, time(12), tzinfo=RIGA)


def _table(filename: str, data: bytes, columns, required, result: ImportResult) -> Table | None:
    try:
        table = read_table(filename, data, columns)
    except UnreadableFile as error:
        result.errors.append(RowError(None, None, str(error.message)))
        return None
    result.ignored_columns = table.unknown_headers
    missing = [columns[k][0] for k in required if k not in table.columns]
    if missing:
        result.errors.append(RowError(1, None, str(_l(
            "Columns missing: %(columns)s.", columns=", ".join(missing)))))
        return None
    if not table.rows:
        result.errors.append(RowError(None, None, str(_l("The file has no data rows."))))
        return None
    result.rows = len(table.rows)
    return table


# -- the case register -------------------------------------------------------------------------
@dataclass
class _CaseRow:
    number: str
    year: int
    seq: int
    status: str
    risk: str
    manager: User | None
    opened: date
    closed: date | None
    closure_reason: str | None
    categories: list[str]
    persons: list[dict]


def _persons_of(row: _Row, text: str | None, roles: dict[str, str]) -> list[dict]:
    """"Anna Bērziņa (vecāks); Jānis Bērziņš (aizbildnis, 010180-12345)" as persons."""
    persons = []
    for part in re.split(r"[;\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _PERSON.match(part)
        inside = [p.strip() for p in (match.group("inside") or "").split(",")] if match else []
        names = match.group("name").split() if match else []
        role_text = inside[0] if inside and inside[0] else None
        role = roles.get(_fold(role_text)) if role_text else "other"
        if len(names) < 2 or role is None or role == "child":
            row.error("persons", _l('"%(value)s": write a person as "Given Family (role)" or '
                                    '"Given Family (role, personal code)".', value=part))
            continue
        persons.append({"role": role, "given_name": " ".join(names[:-1])[:MAX_NAME],
                        "family_name": names[-1][:MAX_NAME],
                        "personal_code": inside[1] if len(inside) > 1 and inside[1] else None})
    return persons


def _checked_code(row: _Row, key: str, code, birth: date | None, today: date):
    from casework.cases.operations import _validated_code

    try:
        return _validated_code(str(code) if code is not None else None, birth, today)
    except OperationRefused as refused:
        row.error(key, refused.message)
        return None, birth


def _case_rows(table: Table, municipality_id: int, errors: list[RowError]) -> list[_CaseRow]:
    today = utcnow().astimezone(RIGA).date()
    statuses = _label_names(case_lifecycle.STATUS_LABELS)
    risks = _risk_names()
    reasons = _label_names(case_lifecycle.CLOSURE_REASONS)
    categories = _label_names(CATEGORY_LABELS)
    roles = _label_names(PERSON_ROLE_LABELS)
    emails = {str(r.get("case_manager") or "").strip().lower() for r in table.rows}
    managers = {u.email.lower(): u for u in db.session.scalars(
        select(User).join(Institution, User.institution_id == Institution.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(Institution.municipality_id == municipality_id,
               UserRole.role == Role.CASE_MANAGER.value, User.active.is_(True),
               func.lower(User.email).in_(emails - {""})))}
    numbers = {str(r.get("number") or "").strip() for r in table.rows}
    existing = set(db.session.scalars(select(Case.number).where(
        Case.municipality_id == municipality_id, Case.number.in_(numbers - {""}))))

    parsed: list[_CaseRow] = []
    seen: dict[str, int] = {}
    for number_in_sheet, values in zip(table.row_numbers, table.rows, strict=True):
        row = _Row(number_in_sheet, values, CASE_COLUMNS, errors)
        before = len(errors)
        number = row.text("number", MAX_NUMBER, required=True)
        year = seq = None
        if number is not None:
            match = _CASE_NUMBER.fullmatch(number)
            if match is None:
                row.error("number", _l("A case number is written as yyyy/nnnn, e.g. 2024/0042."))
            else:
                year, seq = int(match.group(1)), int(match.group(2))
                number = f"{year}/{seq:04d}"
                if number in existing:
                    row.error("number", _l("The municipality already has case %(number)s.",
                                           number=number))
                elif number in seen:
                    row.error("number", _l("Case %(number)s is also in row %(row)d.",
                                           number=number, row=seen[number]))
                else:
                    seen[number] = number_in_sheet
        given = row.text("child_given_name", MAX_NAME, required=True)
        family = row.text("child_family_name", MAX_NAME, required=True)
        birth = row.date("child_birth_date")
        code, birth = _checked_code(row, "child_personal_code",
                                    row.text("child_personal_code", 12), birth, today)
        status = row.choice("status", statuses, required=True)
        risk = row.choice("risk", risks, required=True)
        opened = row.date("opened", required=True)
        closed = row.date("closed")
        reason = row.choice("closure_reason", reasons)
        cats = []
        for part in re.split(r"[;,\n]", row.text("categories", 500) or ""):
            if part.strip():
                code_ = categories.get(_fold(part))
                if code_ is None:
                    row.error("categories", _l('"%(value)s" is not one of: %(allowed)s.',
                                               value=part.strip(),
                                               allowed=", ".join(_latvian(categories))))
                else:
                    cats.append(code_)
        email = row.text("case_manager", 254)
        manager = managers.get(email.lower()) if email else None
        if email and manager is None:
            row.error("case_manager", _l("%(email)s is not an active case manager of the "
                                         "municipality.", email=email))
        persons = _persons_of(row, row.text("persons", 2000), roles)
        for person in persons:
            person["personal_code"], person["birth_date"] = _checked_code(
                row, "persons", person["personal_code"], None, today)

        # The combinations the state machines allow.
        if status and status != "registered" and email is None:
            row.error("case_manager", _l("Only a registered case may be without a case "
                                         "manager."))
        if risk == "red" and status in ("closed", "inactive", "monitoring"):
            row.error("risk", _l("A red case cannot be closed, inactive or in follow-up."))
        if status == "crisis" and risk and risk != "red":
            row.error("risk", _l("A case in crisis is red."))
        if status == "closed":
            if closed is None:
                row.error("closed", _l("A closed case needs its closing date."))
            if reason is None and not row.values.get("closure_reason"):
                row.error("closure_reason", _l("A closed case needs its closure reason."))
        elif status and closed is not None:
            row.error("closed", _l("Only a closed case has a closing date."))
        if opened and opened > today:
            row.error("opened", _l("The date cannot be in the future."))
        if opened and closed and closed < opened:
            row.error("closed", _l("The case cannot be closed before it was opened."))
        if len(errors) == before:
            child = {"given_name": given, "family_name": family, "personal_code": code,
                     "birth_date": birth, "role": "child"}
            parsed.append(_CaseRow(number=number, year=year, seq=seq, status=status, risk=risk,
                                   manager=manager, opened=opened, closed=closed,
                                   closure_reason=reason if status == "closed" else None,
                                   categories=cats,
                                   persons=[child, *persons]))
    return parsed


def _default_owner(municipality_id: int) -> int | None:
    """The social service that owns imported cases without a case manager."""
    return db.session.scalar(select(Institution.id).where(
        Institution.municipality_id == municipality_id,
        Institution.kind == InstitutionKind.SOCIAL_SERVICE.value,
        Institution.active.is_(True)).order_by(Institution.id).limit(1))


def import_cases(actor, municipality_id: int, filename: str, data: bytes, *,
                 dry_run: bool) -> ImportResult:
    """Check (``dry_run``) or import a case register. Writes only when no row has an error;
    the caller commits."""
    from casework.cases.operations import create_case_with_group

    result = ImportResult(kind="cases")
    table = _table(filename, data, CASE_COLUMNS, CASE_REQUIRED, result)
    if table is None:
        return result
    rows = _case_rows(table, municipality_id, result.errors)
    default_owner = (_default_owner(municipality_id)
                     if any(r.manager is None for r in rows) else None)
    if any(r.manager is None for r in rows) and default_owner is None:
        result.errors.append(RowError(None, None, str(_l(
            "The municipality has no social service to own the cases without a case manager."))))
    if dry_run or result.errors:
        return result
    for row in rows:
        case = create_case_with_group(
            actor, municipality_id=municipality_id, year=row.year, seq=row.seq,
            number=row.number, status=row.status, risk=row.risk, categories=row.categories,
            case_manager=row.manager,
            owner_institution_id=row.manager.institution_id if row.manager else default_owner,
            at=_at_noon(row.opened), trigger="imported",
            closed_at=_at_noon(row.closed) if row.closed else None,
            closure_reason=row.closure_reason)
        for person in row.persons:
            db.session.add(CasePerson(case_id=case.id, **person))
        result.persons += len(row.persons)
    db.session.flush()
    result.created = len(rows)
    result.written = True
    record("cases_imported", None, user=actor, municipality_id=municipality_id,
           details={"count": result.created, "rows": result.rows})
    return result


# -- the decision table ------------------------------------------------------------------------
def strategic_group_of(municipality_id: int, group_id: int | None = None):
    """The strategic group decisions are imported into: the one named, or the only one."""
    query = select(CooperationGroup).where(CooperationGroup.municipality_id == municipality_id,
                                           CooperationGroup.kind == "strategic")
    if group_id is not None:
        return db.session.scalar(query.where(CooperationGroup.id == group_id))
    groups = db.session.scalars(query.limit(2)).all()
    return groups[0] if len(groups) == 1 else None


def _institutions_by_name(municipality_id: int) -> dict[str, Institution]:
    return {_fold(i.name): i for i in db.session.scalars(
        select(Institution).where(Institution.municipality_id == municipality_id))}


def import_decisions(actor, group: CooperationGroup, filename: str, data: bytes, *,
                     dry_run: bool) -> ImportResult:
    """Check (``dry_run``) or import a decision table into a strategic group, with one dated
    progress entry per row that has progress. Writes only when no row has an error."""
    result = ImportResult(kind="decisions")
    table = _table(filename, data, DECISION_COLUMNS, DECISION_REQUIRED, result)
    if table is None:
        return result
    today = utcnow().astimezone(RIGA).date()
    statuses = _label_names(decision_machine.STATUS_LABELS)
    institutions = _institutions_by_name(group.municipality_id)
    numbers = {str(r.get("number") or "").strip() for r in table.rows}
    existing = set(db.session.scalars(select(Decision.number).where(
        Decision.group_id == group.id, Decision.number.in_(numbers - {""}))))
    seen: dict[str, int] = {}
    parsed = []
    for number_in_sheet, values in zip(table.row_numbers, table.rows, strict=True):
        row = _Row(number_in_sheet, values, DECISION_COLUMNS, result.errors)
        before = len(result.errors)
        number = row.text("number", 32, required=True)
        if number is not None:
            if number in existing:
                row.error("number", _l("The group already has decision %(number)s.",
                                       number=number))
            elif number in seen:
                row.error("number", _l("Decision %(number)s is also in row %(row)d.",
                                       number=number, row=seen[number]))
            seen.setdefault(number, number_in_sheet)
        topic = row.text("topic", 300)
        agreement = row.text("agreement", 10_000, required=True)
        progress = row.text("progress", 10_000)
        status = row.choice("status", statuses) or ("in_progress" if progress else "pending")
        decided = row.date("decided_on")
        due = row.date("due_date")
        responsible = None
        name = row.text("responsible", 200)
        if name:
            responsible = institutions.get(_fold(name))
            if responsible is None:
                row.error("responsible", _l('"%(value)s" is not an institution of the '
                                            'municipality.', value=name))
        if status == "not_executed" and not progress:
            row.error("progress", _l("A decision not executed needs the reason in its "
                                     "progress."))
        if decided and decided > today:
            row.error("decided_on", _l("The date cannot be in the future."))
        if len(result.errors) == before:
            match = _DECISION_NUMBER.fullmatch(number)
            year = int(match.group(1)) if match else (decided or today).year
            parsed.append({"number": number, "year": year,
                           "seq": int(match.group(2)) if match else None, "topic": topic,
                           "text": agreement, "status": status, "due_date": due,
                           "responsible": responsible, "progress": progress,
                           "decided": decided or today})
    if dry_run or result.errors:
        return result
    for row in parsed:
        decision = Decision(
            group_id=group.id, kind="decision", number=row["number"], year=row["year"],
            seq=row["seq"], topic=row["topic"], text=row["text"], status=row["status"],
            due_date=row["due_date"], not_executed_reason=(
                row["progress"] if row["status"] == "not_executed" else None),
            responsible_institution_id=row["responsible"].id if row["responsible"] else None,
            published_at=_at_noon(row["decided"]))
        db.session.add(decision)
        db.session.flush()
        if row["progress"]:
            db.session.add(DecisionProgress(decision_id=decision.id, on=row["decided"],
                                            text=row["progress"], status_after=row["status"],
                                            author_id=actor.id if actor else None))
    db.session.flush()
    result.created = len(parsed)
    result.written = True
    record("decisions_imported", group, user=actor, municipality_id=group.municipality_id,
           details={"count": result.created, "rows": result.rows, "group": group.id})
    return result


def header_names(columns: dict[str, tuple[str, ...]]) -> list[str]:
    """The Latvian header of each column, in order: what a template's first row holds."""
    return [aliases[0] for aliases in columns.values()]


def error_lines(result: ImportResult) -> Iterable[str]:
    """The errors as lines for the command line: "rinda 4, Statuss: ..."."""
    for error in result.errors:
        where = []
        if error.row is not None:
            where.append(str(_l("row %(row)d", row=error.row)))
        if error.column:
            where.append(error.column)
        yield (", ".join(where) + ": " if where else "") + error.message
