"""Fixtures shared with the cases' tests."""

from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
