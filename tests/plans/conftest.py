"""Factories for assessments and support plans: cases come from the cases' factories."""

from datetime import date

import pytest

from casework.cases import operations as case_ops
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import Decision
from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401

RATINGS = {"needs": 1, "family": 1, "environment": 0, "risk_factors": 1, "strengths": 0}


@pytest.fixture
def school(make_institution):
    return make_institution("school", name="Parauga skola")


@pytest.fixture
def make_decision(app_ctx):
    """Factory: ``make_decision(case, number=...)`` a published decision of the case's group."""

    def make(case, number="SPG-2026/01", published=True):
        decision = Decision(group_id=case_ops.case_group(case).id, number=number, year=2026,
                            text="Saskaņot atbalsta plānu",
                            published_at=utcnow() if published else None)
        db.session.add(decision)
        db.session.commit()
        return decision

    return make


@pytest.fixture
def goal_kwargs(school):
    def kwargs(**overrides):
        values = {"goal": "Regulāri apmeklē skolu", "actions": "Sociālā pedagoga konsultācijas",
                  "responsible_institution_id": school.id, "responsible_user_id": None,
                  "deadline": date(2026, 6, 30), "review_on": date(2026, 3, 31)}
        values.update(overrides)
        return values

    return kwargs
