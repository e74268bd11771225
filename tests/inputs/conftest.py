"""The group and case factories, for the input tests."""

from tests.groups.conftest import (  # noqa: F401
    case_manager,
    coordinator,
    make_case,
    make_group,
    make_meeting,
    social_service,
)
