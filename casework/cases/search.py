"""Finding a child (issue 12.1): by name without caring for diacritics ("Berzina" finds
"Bērziņa"), by personal code in either form, with or without the dash, and by case number;
always within the cases the user may see (``visible_cases``), so no search, list or triage
suggestion can reveal a case the user could not open.

Names are matched on ``CasePerson.search_name``, the given and family name folded to lower
case ASCII when the row is written (``fold``). On PostgreSQL a trigram (``pg_trgm``) GIN index
serves the ``LIKE '%…%'`` match; SQLite scans the column, which is enough at its scale.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from casework.cases.models import Case, CasePerson, PersonRole
from casework.extensions import db

#: The longest search text accepted (a full name or a case number fits easily).
MAX_QUERY = 100
_CODE = re.compile(r"^\d{6}-?\d{5}$")
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str | None) -> str:
    """``text`` in lower case without diacritics: "Bērziņa Ērika" → "berzina erika"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def person_search_name(given_name: str | None, family_name: str | None) -> str:
    """The folded name a person is found by."""
    return fold(f"{given_name or ''} {family_name or ''}")[:201]


def normalise_code(text: str) -> str | None:
    """A personal code typed with or without the dash, in the stored form ``DDMMYY-NNNNN``;
    None when ``text`` is not shaped like one."""
    text = text.strip()
    if not _CODE.match(text):
        return None
    digits = text.replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"


def search_clause(text: str):
    """The condition on ``Case`` that a free search text selects: the case number contains it,
    a person's personal code equals it, or a person's name contains every word of it."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return None
    conditions = [Case.number.contains(text, autoescape=True)]
    code = normalise_code(text)
    if code is not None:
        conditions.append(exists().where(CasePerson.case_id == Case.id,
                                         CasePerson.personal_code == code))
    terms = _TERM.findall(fold(text))
    if terms:
        conditions.append(exists().where(
            CasePerson.case_id == Case.id,
            *[CasePerson.search_name.contains(term, autoescape=True) for term in terms]))
    return or_(*conditions)


@dataclass(frozen=True)
class Suggestion:
    """A person of a visible case who may be the referral's child."""

    case: Case
    person: CasePerson
    by_code: bool


def suggestions_for_referral(user, referral, limit: int = 10) -> list[Suggestion]:
    """Persons in the cases ``user`` may see who match the referral's child: the same personal
    code, or the same folded name with the same (or an unknown) birth date. Open cases first."""
    from casework.cases.queries import visible_cases

    name = person_search_name(referral.child_given_name, referral.child_family_name)
    by_name = and_(CasePerson.search_name == name,
                   or_(CasePerson.birth_date.is_(None),
                       referral.child_birth_date is None,
                       CasePerson.birth_date == referral.child_birth_date))
    match = or_(by_name, CasePerson.personal_code == referral.child_personal_code) \
        if referral.child_personal_code else by_name
    visible = visible_cases(user).with_only_columns(Case.id)
    rows = db.session.execute(
        select(CasePerson, Case).join(Case, Case.id == CasePerson.case_id)
        .where(match, Case.id.in_(visible))
        .order_by((Case.status == "closed"), Case.number.desc()).limit(limit)).all()
    return [Suggestion(case, person, bool(referral.child_personal_code)
                       and person.personal_code == referral.child_personal_code)
            for person, case in rows]


def age_on(birth_date: date | None, today: date) -> int | None:
    """Full years on ``today``."""
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) <
                                           (birth_date.month, birth_date.day))


def children_of(case: Case) -> list[CasePerson]:
    """The children of a loaded case (``persons`` loaded with the list)."""
    return [p for p in case.persons if p.role == PersonRole.CHILD.value]


def with_persons(stmt):
    """Load the persons with a list of cases (one query for the whole page)."""
    return stmt.options(selectinload(Case.persons))
