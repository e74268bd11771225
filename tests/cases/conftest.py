"""Factories for cases: ``make_case(...)`` opens a case through the service layer."""

from datetime import date

import pytest

from casework.cases import operations as ops
from casework.extensions import db


@pytest.fixture
def social_service(make_institution):
    return make_institution("social_service", name="Sociālais dienests")


@pytest.fixture
def case_manager(make_user, social_service):
    return make_user("case_manager", institution=social_service, full_name="Gunta Vadītāja")


@pytest.fixture
def make_case(app_ctx, case_manager):
    """Factory: ``make_case(risk="yellow", manager=..., child_code=..., status=...)``."""

    def make(risk: str = "yellow", manager=None, categories=("neglect",), child: dict | None = None,
             status: str | None = None, at=None):
        manager = manager or case_manager
        child = child if child is not None else {
            "given_name": "Anna", "family_name": "Bērziņa", "personal_code": None,
            "birth_date": date(2015, 5, 4)}
        case = ops.open_case(manager, municipality_id=manager.municipality_id, risk=risk,
                             categories=categories, case_manager=manager,
                             owner_institution_id=manager.institution_id, child=child, at=at)
        if status in ("assessment", "intervention", "monitoring", "inactive", "closed",
                      "crisis"):
            ops.transition_case(manager, case, "start_assessment")
        if status in ("intervention", "monitoring", "inactive", "crisis"):
            ops.transition_case(manager, case, "start_intervention")
        if status == "monitoring":
            ops.transition_case(manager, case, "start_monitoring")
        if status == "inactive":
            ops.transition_case(manager, case, "deactivate", reason="Klients nesazināms")
        if status == "crisis":
            ops.transition_case(manager, case, "escalate_crisis", reason="Vardarbība ģimenē")
        if status == "closed":
            from casework.tasks.models import Task
            from casework.tasks.operations import cancel_task

            for task in db.session.query(Task).filter_by(case_id=case.id, status="open"):
                cancel_task(manager, task, "Nav vajadzīgs")
            ops.transition_case(manager, case, "close", closure_reason="goals_achieved")
        db.session.commit()
        return case

    return make
