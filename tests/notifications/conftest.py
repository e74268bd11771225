"""Fixtures shared with the sweeps' tests."""

from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
from tests.jobs.conftest import (  # noqa: F401
    frozen,
    head_of_service,
    make_task,
    outsider,
    school,
    specialist,
)
