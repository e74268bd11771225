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
