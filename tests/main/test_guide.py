"""The help page per role and the first-login steps of the start page (issue 18.7)."""

import pytest

from casework.extensions import db
from tests.conftest import audit_actions

ROLES = ["admin", "auditor", "coordinator", "head_of_service", "case_manager", "specialist",
         "inspector"]
#: The role's name in the Latvian UI and a page of the navigation it may use.
ROLE_HELP = {
    "admin": ("Administrators", "/admin/users"),
    "auditor": ("Datu aizsardzības speciālists", "/audit/"),
    "coordinator": ("Koordinators", "/cases/overview"),
    "head_of_service": ("Sociālā dienesta vadītājs", "/cases/caseload"),
    "case_manager": ("Gadījuma vadītājs", "/referrals/triage"),
    "specialist": ("Speciālists", "/tasks"),
    "inspector": ("Inspektors", "/reports/municipalities"),
}


def _steps(html: str) -> str:
    if 'id="first-steps"' not in html:
        return ""
    start = html.index('id="first-steps"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_help_linked_from_the_header(client, login_as, role):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    header = html[html.index('<header class="site-header"'):html.index("</header>")]
    assert 'href="/help"' in header
    assert client.get("/help").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_help_is_chosen_by_the_users_roles_and_links_only_their_pages(client, login_as, role):
    login_as(role)
    main = client.get("/help").get_data(as_text=True).split('<main', 1)[1]
    label, page = ROLE_HELP[role]
    assert label in main and f'href="{page}"' in main
    for other, (_label, other_page) in ROLE_HELP.items():
        if other != role:
            assert f'id="help-{other}"' not in main
            if other_page != page and other_page != "/tasks":
                assert f'href="{other_page}"' not in main, (role, other_page)


def test_help_of_a_user_with_several_roles_has_a_section_per_role(client, login_as):
    login_as("case_manager", "auditor")
    html = client.get("/help").get_data(as_text=True)
    assert 'id="help-case_manager"' in html and 'id="help-auditor"' in html


def test_help_lists_the_deadlines_of_the_municipalitys_policy(client, login_as, make_user):
    from casework.policies.operations import save_policy

    manager = login_as("case_manager")
    admin = make_user("admin", institution=manager.institution)
    html = client.get("/help").get_data(as_text=True)
    assert "Termiņi" in html and "tajā pašā darba dienā" in html  # red triage, DESIGN.md §5
    save_policy(admin, {"convene_after_red_working_days": 4})
    db.session.commit()
    html = client.get("/help").get_data(as_text=True)
    row = html[html.index("kļuvusi sarkana"):][:200]
    assert "4 darba diena(s)" in row


@pytest.mark.parametrize("role, first_task", [
    ("case_manager", "/referrals/triage"), ("auditor", "/audit/"), ("admin", "/admin/institutions"),
    ("inspector", "/reports/municipalities"), ("specialist", "/tasks"),
])
def test_a_user_who_has_done_nothing_sees_what_to_do_first(client, login_as, role, first_task):
    login_as(role)
    steps = _steps(client.get("/").get_data(as_text=True))
    assert "Ko darīt vispirms" in steps
    assert steps.index('href="/password"') < steps.index('href="/help"') \
        < steps.index(f'href="{first_task}"')


def test_the_steps_end_once_the_user_has_done_something(client, login_as):
    from casework.audit.operations import record

    user = login_as("case_manager")
    assert _steps(client.get("/").get_data(as_text=True))
    record("referral_filed", user, user=user)
    db.session.commit()
    assert _steps(client.get("/").get_data(as_text=True)) == ""


def test_a_changed_password_is_marked_done_but_keeps_the_steps(client, login_as):
    from casework.audit.operations import record

    user = login_as("specialist")
    record("password_changed", user, user=user)
    db.session.commit()
    steps = _steps(client.get("/").get_data(as_text=True))
    item = steps[steps.index('href="/password"'):].split("</li>", 1)[0]
    assert "izdarīts" in item


def test_the_steps_can_be_dismissed_for_good(client, login_as):
    user = login_as("coordinator")
    response = client.post_form("/start/steps/dismiss", token_from="/")
    assert response.status_code == 302
    assert _steps(client.get("/").get_data(as_text=True)) == ""
    assert "start_steps_dismissed" in audit_actions(user_id=user.id)


def test_dismissing_needs_the_csrf_token(client, login_as):
    login_as("coordinator")
    assert client.post("/start/steps/dismiss").status_code == 400


def test_setting_up_the_second_factor_does_not_count_as_having_started(client, login_as):
    """Enrolment is forced before the start page for most roles: it must not hide the first
    steps (the audit log's two-factor events are the user's account, not their work)."""
    import pyotp

    from casework.auth import twofactor

    user = login_as("case_manager")
    secret = twofactor.start_enrolment(user)
    twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
    db.session.commit()
    assert _steps(client.get("/").get_data(as_text=True))
