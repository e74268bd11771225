"""Administration of institutions and users by the ``admin`` role."""

import pytest
from sqlalchemy import func, select

from casework.auth.models import User
from casework.extensions import db
from casework.orgs.models import Institution
from tests.conftest import TEST_PASSWORD, audit_actions


def _post(client, url, data, token_from):
    return client.post_form(url, data, token_from=token_from)


# -- institutions -----------------------------------------------------------------------------
def test_admin_creates_an_institution(client, login_as):
    admin = login_as("admin")
    response = _post(client, "/admin/institutions",
                     {"name": "Parauga pamatskola", "kind": "school"}, "/admin/institutions")
    assert response.status_code == 302
    inst = db.session.scalar(select(Institution).where(Institution.name == "Parauga pamatskola"))
    assert inst.kind == "school"
    assert inst.municipality_id == admin.municipality_id
    assert "institution_created" in audit_actions()


@pytest.mark.parametrize("data,message", [
    ({"name": "", "kind": "school"}, "Šis lauks ir obligāts."),
    ({"name": "x" * 201, "kind": "school"}, "Ne vairāk kā 200 rakstzīmes."),
    ({"name": "Skola", "kind": "castle"}, "Nederīga izvēle."),
])
def test_institution_bad_input_gives_400_and_nothing_is_written(client, login_as, data,
                                                                message):
    login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(Institution))
    response = _post(client, "/admin/institutions", data, "/admin/institutions")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Institution)) == before


def test_institution_names_are_unique_in_the_municipality(client, login_as, make_institution):
    login_as("admin")
    make_institution("school", name="Parauga vidusskola")
    response = _post(client, "/admin/institutions",
                     {"name": "parauga vidusskola", "kind": "school"}, "/admin/institutions")
    assert response.status_code == 400
    assert "jau eksistē" in response.get_data(as_text=True)


def test_admin_renames_an_institution(client, login_as, make_institution):
    login_as("admin")
    inst = make_institution("school", name="Vecā skola")
    response = _post(client, f"/admin/institutions/{inst.id}", {"name": "Jaunā skola"},
                     f"/admin/institutions/{inst.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).name == "Jaunā skola"
    assert "institution_renamed" in audit_actions()


def test_admin_deactivates_an_institution_which_is_kept(client, login_as, make_institution):
    login_as("admin")
    inst = make_institution("school")
    response = _post(client, f"/admin/institutions/{inst.id}/active", {"active": "0"},
                     "/admin/institutions")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Institution, inst.id).active is False
    assert "institution_deactivated" in audit_actions()


def test_institution_of_another_municipality_is_404(client, login_as, make_municipality,
                                                    make_institution):
    login_as("admin")
    foreign = make_institution("school", municipality=make_municipality())
    assert client.get(f"/admin/institutions/{foreign.id}").status_code == 404
    response = _post(client, f"/admin/institutions/{foreign.id}/active", {"active": "0"},
                     "/admin/institutions")
    assert response.status_code == 404


# -- users ------------------------------------------------------------------------------------
def _create_user(client, institution, roles=("specialist",), email="jauns@example.lv"):
    return _post(client, "/admin/users/new", {
        "full_name": "Jānis Bērziņš", "email": email,
        "institution_id": str(institution.id), "roles": list(roles),
    }, "/admin/users/new")


def test_admin_creates_a_user_with_a_temporary_password(app, client, login_as,
                                                        make_institution):
    login_as("admin")
    school = make_institution("school")
    response = _create_user(client, school, roles=("specialist", "coordinator"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = html.split('<p class="secret"><code>')[1].split("</code>")[0]
    user = db.session.scalar(select(User).where(User.email == "jauns@example.lv"))
    assert user.roles == {"specialist", "coordinator"}
    assert user.institution_id == school.id
    assert user.must_change_password
    assert "user_created" in audit_actions()
    # The new user must change the temporary password at first login.
    newcomer = app.test_client()
    assert newcomer.login("jauns@example.lv", password).headers["Location"] == "/password"


@pytest.mark.parametrize("data,message", [
    ({"full_name": "", "email": "a@b.lv"}, "Šis lauks ir obligāts."),
    ({"full_name": "A", "email": "nav-epasts"}, "Ievadiet derīgu e-pasta adresi."),
    ({"full_name": "A", "email": "a@b.lv", "roles": []}, "Izvēlieties vismaz vienu lomu."),
    ({"full_name": "A", "email": "a@b.lv", "roles": ["inspector"]},
     "Izvēlieties lomas no saraksta."),
    ({"full_name": "A", "email": "a@b.lv", "institution_id": "0"}, "Šis lauks ir obligāts."),
])
def test_user_bad_input_gives_400_and_no_user(client, login_as, make_institution, data,
                                              message):
    login_as("admin")
    school = make_institution("school")
    form = {"institution_id": str(school.id), "roles": ["specialist"], **data}
    before = db.session.scalar(select(func.count()).select_from(User))
    response = _post(client, "/admin/users/new", form, "/admin/users/new")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_duplicate_email_is_refused(client, login_as, make_institution, make_user):
    login_as("admin")
    make_user("specialist", email="jauns@example.lv")
    response = _create_user(client, make_institution("school"))
    assert response.status_code == 400
    assert "jau eksistē" in response.get_data(as_text=True)


def test_user_cannot_be_placed_in_another_municipalitys_institution(
        client, login_as, make_municipality, make_institution):
    login_as("admin")
    foreign = make_institution("school", municipality=make_municipality())
    response = _create_user(client, foreign)
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "jauns@example.lv")) is None


def test_admin_assigns_roles_and_institution(client, login_as, make_user, make_institution):
    login_as("admin")
    user = make_user("specialist")
    police = make_institution("state_police")
    response = _post(client, f"/admin/users/{user.id}", {
        "full_name": "Pārdēvēts", "email": "ignored@example.lv",
        "institution_id": str(police.id), "roles": ["specialist", "case_manager"],
    }, f"/admin/users/{user.id}")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.roles == {"specialist", "case_manager"}
    assert user.institution_id == police.id
    assert user.email != "ignored@example.lv"
    assert "user_updated" in audit_actions()


def test_deactivated_user_cannot_log_in_and_is_kept(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("specialist")
    other = app.test_client()
    assert other.login(user.email).status_code == 302
    response = _post(client, f"/admin/users/{user.id}/deactivate", {}, f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert other.get("/").status_code == 302  # the running session has ended
    assert app.test_client().login(user.email).status_code == 401
    assert db.session.get(User, user.id) is not None
    assert "user_deactivated" in audit_actions()


def test_admin_unlocks_a_locked_user(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("specialist")
    victim = app.test_client()
    for _ in range(5):
        victim.login(user.email, "nepareiza-parole")
    assert victim.login(user.email).status_code == 401
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "bloķēts līdz" in page
    _post(client, f"/admin/users/{user.id}/unlock", {}, f"/admin/users/{user.id}")
    assert victim.login(user.email).status_code == 302
    assert "user_unlocked" in audit_actions()


def test_admin_issues_a_new_temporary_password(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("specialist")
    response = _post(client, f"/admin/users/{user.id}/reset", {}, f"/admin/users/{user.id}")
    password = response.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    newcomer = app.test_client()
    assert newcomer.login(user.email, TEST_PASSWORD).status_code == 401
    assert newcomer.login(user.email, password).headers["Location"] == "/password"


def test_admin_cannot_deactivate_themself_or_drop_their_admin_role(client, login_as):
    admin = login_as("admin")
    response = _post(client, f"/admin/users/{admin.id}/deactivate", {}, f"/admin/users/{admin.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    response = _post(client, f"/admin/users/{admin.id}", {
        "full_name": "X", "email": admin.email, "institution_id": str(admin.institution_id),
        "roles": ["specialist"]}, f"/admin/users/{admin.id}")
    assert response.status_code == 400
    assert "administratora lomu" in response.get_data(as_text=True)


def test_users_of_another_municipality_are_invisible(client, login_as, make_municipality,
                                                     make_institution, make_user):
    login_as("admin")
    outsider = make_user("specialist",
                         institution=make_institution("school", municipality=make_municipality()))
    assert outsider.email not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{outsider.id}").status_code == 404
    response = _post(client, f"/admin/users/{outsider.id}/deactivate", {}, "/admin/users/new")
    assert response.status_code == 404
