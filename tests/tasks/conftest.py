"""The same factories as the decisions' tests."""

from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
from tests.decisions.conftest import (  # noqa: F401
    coordinator,
    make_decision,
    make_group,
    make_meeting,
    make_task,
)
