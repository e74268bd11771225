"""``flask seed-demo``: the fictional municipality with one institution of every kind."""

from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.auth.models import Role, User
from casework.extensions import db
from casework.orgs.models import Institution, InstitutionKind, Municipality


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Municipality, Institution, User, AuditEvent)}


def test_seed_demo_creates_an_institution_of_every_kind_and_a_user_per_role(app_ctx, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    muni = db.session.scalar(select(Municipality))
    assert muni.name == "Parauga novads"
    kinds = set(db.session.scalars(select(Institution.kind)))
    assert kinds == {k.value for k in InstitutionKind}
    for role in Role:
        user = db.session.scalar(select(User).where(User.email == f"{role}@parauga-novads.lv"))
        assert user is not None and user.roles == {role.value}
        assert user.check_password("parauga-parole-2026")
        assert not user.must_change_password


def test_seed_demo_twice_changes_nothing_the_second_time(app_ctx, runner):
    runner.invoke(args=["seed-demo"])
    before = _counts()
    hashes = list(db.session.scalars(select(User.password_hash).order_by(User.id)))
    result = runner.invoke(args=["seed-demo", "--password", "cita-parole-999"])
    assert "nothing changed" in result.output
    assert _counts() == before
    assert list(db.session.scalars(select(User.password_hash).order_by(User.id))) == hashes


def test_seed_demo_password_option(app_ctx, runner):
    runner.invoke(args=["seed-demo", "--password", "mana-parole-42"])
    user = db.session.scalar(select(User).where(User.email == "case_manager@parauga-novads.lv"))
    assert user.check_password("mana-parole-42")


def test_demo_case_manager_logs_in_to_the_latvian_start_page(client, runner):
    runner.invoke(args=["seed-demo"])
    client.login("case_manager@parauga-novads.lv", "parauga-parole-2026")
    html = client.get("/").get_data(as_text=True)
    assert "<h1>Sākums</h1>" in html
    assert "Parauga novada Sociālais dienests" in html


def test_create_admin_command_creates_a_first_administrator_with_a_temporary_password(
        app_ctx, runner, client):
    result = runner.invoke(args=[
        "create-admin", "--atvk", "0001000", "--municipality", "Rīga",
        "--institution", "Rīgas administrācija", "--email", "Admin@Riga.lv", "--name", "A B"])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    user = db.session.scalar(select(User).where(User.email == "admin@riga.lv"))
    assert user.roles == {"admin"} and user.must_change_password
    assert user.institution.municipality.atvk_code == "0001000"
    assert client.login("admin@riga.lv", password).headers["Location"] == "/password"


def test_create_admin_command_refuses_bad_input(app_ctx, runner):
    result = runner.invoke(args=["create-admin", "--atvk", "12", "--institution", "X",
                                 "--email", "a@b.lv", "--name", "A"])
    assert result.exit_code == 2
    assert "7 digits" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_inspector_command(app_ctx, runner):
    result = runner.invoke(args=["create-inspector", "--email", "i@bac.gov.lv", "--name", "I"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "i@bac.gov.lv"))
    assert user.roles == {"inspector"} and user.institution is None
