"""The fictional demo municipality "Parauga novads" (``flask --app casework seed-demo``)."""

from __future__ import annotations

from sqlalchemy import select

from casework.auth.models import Role, User
from casework.extensions import db
from casework.orgs.models import Institution, InstitutionKind, Municipality

DEMO_ATVK = "0999001"
DEMO_MUNICIPALITY = "Parauga novads"
DEMO_DOMAIN = "parauga-novads.lv"
DEFAULT_DEMO_PASSWORD = "parauga-parole-2026"

DEMO_INSTITUTIONS = {
    InstitutionKind.SOCIAL_SERVICE: "Parauga novada Sociālais dienests",
    InstitutionKind.ORPHANS_COURT: "Parauga novada bāriņtiesa",
    InstitutionKind.MUNICIPAL_POLICE: "Parauga novada pašvaldības policija",
    InstitutionKind.STATE_POLICE: "Valsts policijas Parauga iecirknis",
    InstitutionKind.EDUCATION_BOARD: "Parauga novada Izglītības pārvalde",
    InstitutionKind.SCHOOL: "Parauga vidusskola",
    InstitutionKind.PRESCHOOL: "Pirmsskolas izglītības iestāde „Saulīte”",
    InstitutionKind.HEALTH_CARE: "Ģimenes ārsta prakse „Veselība”",
    InstitutionKind.PROBATION: "Valsts probācijas dienesta Parauga struktūrvienība",
    InstitutionKind.NGO: "Biedrība „Drošā osta”",
    InstitutionKind.OTHER: "Parauga novada pašvaldības administrācija",
}

# role -> (full name, institution kind); inspectors belong to no municipal institution.
DEMO_USERS = {
    Role.ADMIN: ("Andris Administrators", InstitutionKind.OTHER),
    Role.COORDINATOR: ("Kristīne Koordinatore", InstitutionKind.OTHER),
    Role.HEAD_OF_SERVICE: ("Vija Vadītāja", InstitutionKind.SOCIAL_SERVICE),
    Role.CASE_MANAGER: ("Gunta Gadījumu vadītāja", InstitutionKind.SOCIAL_SERVICE),
    Role.SPECIALIST: ("Sandis Speciālists", InstitutionKind.SCHOOL),
    Role.INSPECTOR: ("Ilze Inspektore", None),
    Role.AUDITOR: ("Dace Datu aizsardzības speciāliste", InstitutionKind.OTHER),
}


def demo_email(role: str) -> str:
    """The demo login of ``role``, e.g. ``case_manager@parauga-novads.lv``."""
    return f"{role}@{DEMO_DOMAIN}"


def seed_demo(password: str = DEFAULT_DEMO_PASSWORD) -> dict[str, int]:
    """Create what is missing of the demo data; existing rows are left as they are.

    Then the demo cases (`casework.demo_cases`), unless the municipality has cases already.
    Returns how many rows of each kind were created (all zero on a second run).
    """
    created = {"municipality": 0, "institution": 0, "user": 0}
    muni = db.session.scalar(select(Municipality).where(Municipality.atvk_code == DEMO_ATVK))
    if muni is None:
        muni = Municipality(name=DEMO_MUNICIPALITY, atvk_code=DEMO_ATVK)
        db.session.add(muni)
        db.session.flush()
        created["municipality"] += 1
    by_kind: dict[InstitutionKind, Institution] = {}
    for kind, name in DEMO_INSTITUTIONS.items():
        inst = db.session.scalar(
            select(Institution).where(Institution.municipality_id == muni.id,
                                      Institution.name == name)
        )
        if inst is None:
            inst = Institution(municipality_id=muni.id, kind=kind.value, name=name)
            db.session.add(inst)
            created["institution"] += 1
        by_kind[kind] = inst
    db.session.flush()
    for role, (full_name, kind) in DEMO_USERS.items():
        email = demo_email(role.value)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = User(email=email, full_name=full_name,
                    institution=by_kind[kind] if kind else None)
        user.roles = [role.value]
        user.set_password(password)
        db.session.add(user)
        created["user"] += 1
    db.session.flush()
    # demo_cases builds on the constants above, hence the late import.
    from casework.demo_cases import seed_demo_cases

    for key, count in seed_demo_cases(muni, by_kind, password).items():
        created[key] = created.get(key, 0) + count
    from casework.demo_groups import seed_demo_groups

    for key, count in seed_demo_groups(muni, by_kind).items():
        created[key] = created.get(key, 0) + count
    from casework.demo_reports import seed_demo_report

    for key, count in seed_demo_report(muni).items():
        created[key] = created.get(key, 0) + count
    return created
