"""Reads for the data protection officer, scoped in SQL to the officer's municipality.

The officer (role ``auditor``) is not a member of any case, so the case pages stay closed to
them; for a subject-access request they may open any case of their own municipality here.
Every other role, and a case or person of another municipality, gets 404.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from casework.auth.models import Role
from casework.cases.models import Case, CasePerson
from casework.extensions import db


def is_officer(user) -> bool:
    """The user is their municipality's data protection officer."""
    return (user.is_authenticated and user.municipality_id is not None
            and user.has_role(Role.AUDITOR))


def officer_cases(user):
    """A select of the cases the officer may export from: those of their municipality (none
    for anyone else)."""
    if not is_officer(user):
        return select(Case).where(Case.id.is_(None))
    return select(Case).where(Case.municipality_id == user.municipality_id)


def case_by_number(user, number: str) -> Case | None:
    """The case of the officer's municipality with this number, if any."""
    return db.session.scalar(officer_cases(user).where(Case.number == number))


def get_case_for_officer_or_404(case_id: int, user) -> Case:
    """The case if ``user`` is the data protection officer of its municipality; else 404."""
    found = db.session.scalar(officer_cases(user).where(Case.id == case_id))
    if found is None:
        abort(404)
    return found


def get_person_or_404(case: Case, person_id: int) -> CasePerson:
    """A person of ``case`` (404 for a person of another case)."""
    found = db.session.scalar(select(CasePerson).where(CasePerson.id == person_id,
                                                       CasePerson.case_id == case.id))
    if found is None:
        abort(404)
    return found


def same_subject(person: CasePerson) -> list[CasePerson]:
    """Every person row of the municipality that is the same data subject: the rows with the
    same personal code in any case of the municipality, or the row itself without one."""
    if not person.personal_code:
        return [person]
    return list(db.session.scalars(
        select(CasePerson).join(Case, Case.id == CasePerson.case_id)
        .where(Case.municipality_id == person.case.municipality_id,
               CasePerson.personal_code == person.personal_code)
        .order_by(CasePerson.case_id, CasePerson.id)))
