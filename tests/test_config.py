"""The app factory and the configuration contract (DESIGN.md §7)."""

import os
import stat

import pytest

from casework import create_app
from casework.config import ConfigurationError, load_config, normalise_database_url


def test_app_refuses_to_start_with_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError):
        create_app()


def test_secret_key_is_generated_into_the_instance_folder_on_first_run(tmp_path, monkeypatch):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert len(first) >= 32
    assert key_file.read_text() == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert load_config(str(tmp_path))["SECRET_KEY"] == first


def test_default_database_is_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CASEWORK_DATABASE_URL", raising=False)
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == \
        f"sqlite:///{tmp_path / 'casework.sqlite'}"


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql://u@db.example/casework")
    monkeypatch.setenv("CASEWORK_MAIL_SERVER", "smtp.example.lv")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/casework"
    assert config["MAIL_SERVER"] == "smtp.example.lv"


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a") == "sqlite:///a"


def test_app_refuses_to_start_with_a_short_audit_key(monkeypatch):
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("CASEWORK_AUDIT_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="CASEWORK_AUDIT_KEY"):
        create_app()


def test_audit_key_is_generated_into_the_instance_folder_apart_from_the_secret_key(
        tmp_path, monkeypatch):
    monkeypatch.delenv("CASEWORK_AUDIT_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    config = load_config(str(tmp_path))
    key_file = tmp_path / "audit_key"
    assert len(config["AUDIT_KEY"]) >= 32 and config["AUDIT_KEY"] != config["SECRET_KEY"]
    assert key_file.read_text() == config["AUDIT_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert load_config(str(tmp_path))["AUDIT_KEY"] == config["AUDIT_KEY"]
    monkeypatch.setenv("CASEWORK_AUDIT_KEY", "k" * 40)
    assert load_config(str(tmp_path))["AUDIT_KEY"] == "k" * 40


def test_two_factor_roles_default_to_those_who_see_case_content(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEWORK_TWO_FACTOR_ROLES", raising=False)
    roles = load_config(str(tmp_path))["TWO_FACTOR_REQUIRED_ROLES"]
    assert set(roles) == {"admin", "head_of_service", "case_manager", "specialist", "auditor"}


def test_two_factor_roles_from_the_environment_none_and_unknown(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_TWO_FACTOR_ROLES", "admin, coordinator")
    assert load_config(str(tmp_path))["TWO_FACTOR_REQUIRED_ROLES"] == ("admin", "coordinator")
    monkeypatch.setenv("CASEWORK_TWO_FACTOR_ROLES", "none")
    assert load_config(str(tmp_path))["TWO_FACTOR_REQUIRED_ROLES"] == ()
    monkeypatch.setenv("CASEWORK_TWO_FACTOR_ROLES", "admin,boss")
    with pytest.raises(ConfigurationError, match="boss"):
        load_config(str(tmp_path))


def test_single_sign_on_is_off_unless_configured(monkeypatch, tmp_path):
    for name in ("CASEWORK_SSO_ISSUER", "CASEWORK_SSO_CLIENT_ID", "CASEWORK_SSO_CLIENT_SECRET",
                 "CASEWORK_SSO_SATISFIES_TWO_FACTOR"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(str(tmp_path))
    assert config["SSO_ISSUER"] is None and config["SSO_SATISFIES_TWO_FACTOR"] is True
    monkeypatch.setenv("CASEWORK_SSO_ISSUER", "https://login.example.lv/tenant/v2.0/")
    assert load_config(str(tmp_path))["SSO_ISSUER"] == "https://login.example.lv/tenant/v2.0"


def test_postgres_just_in_time_compilation_is_off_unless_configured():
    from casework.config import engine_options

    pg = "postgresql+psycopg://u@h/db"
    off = engine_options({"SQLALCHEMY_DATABASE_URI": pg,
                          "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    assert off == {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}}
    assert "connect_args" not in engine_options({"SQLALCHEMY_DATABASE_URI": pg,
                                                 "POSTGRES_JIT": True})
    assert engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}) == {}


def test_postgres_random_page_cost_is_set_on_the_app_connections_when_configured(tmp_path,
                                                                                 monkeypatch):
    from casework.config import engine_options, load_config

    pg = "postgresql+psycopg://u@h/db"
    options = engine_options({"SQLALCHEMY_DATABASE_URI": pg, "POSTGRES_RANDOM_PAGE_COST": "1.1"})
    assert options["connect_args"]["options"] == "-c jit=off -c random_page_cost=1.1"
    monkeypatch.delenv("CASEWORK_POSTGRES_RANDOM_PAGE_COST", raising=False)
    assert load_config(str(tmp_path))["POSTGRES_RANDOM_PAGE_COST"] == "1.1"
    monkeypatch.setenv("CASEWORK_POSTGRES_RANDOM_PAGE_COST", "server")
    assert load_config(str(tmp_path))["POSTGRES_RANDOM_PAGE_COST"] is None
    monkeypatch.setenv("CASEWORK_POSTGRES_RANDOM_PAGE_COST", "fast")
    with pytest.raises(ValueError, match="CASEWORK_POSTGRES_RANDOM_PAGE_COST"):
        load_config(str(tmp_path))


def test_postgres_sessions_run_without_just_in_time_compilation(app):
    from sqlalchemy import text

    from casework.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
        assert float(db.session.execute(text("SHOW random_page_cost")).scalar()) == 1.1
