"""Starting the app (every ``flask`` command, the scheduler's one-shot ``run-due-jobs`` from
cron too) imports what every request needs, not the libraries of a few pages or commands:
Alembic (the migration commands), openpyxl (XLSX exports), icalendar (calendar files),
Authlib (single sign-on), WeasyPrint (PDFs)."""

import json
import os
import subprocess
import sys

from casework import ROOT

ONLY_SOME_NEED = ("alembic", "flask_migrate", "openpyxl", "icalendar", "authlib", "weasyprint",
                  "docx")


def test_starting_the_app_imports_no_library_that_only_some_pages_or_commands_need(tmp_path):
    code = ("import json, sys\n"
            "from casework import create_app\n"
            "create_app()\n"
            f"print(json.dumps([m for m in {ONLY_SOME_NEED!r} if m in sys.modules]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT),
               CASEWORK_DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite'}",
               CASEWORK_SECRET_KEY="start-secret-key-that-is-long-enough-0123456789")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,  # noqa: S603
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_migration_commands_are_there_and_load_flask_migrate_when_run(app):
    from casework.extensions import db

    command = app.cli.get_command(None, "db")
    assert command is not None
    assert "upgrade" in command.make_context("db", ["current"]).command.list_commands(None)
    with app.app_context():
        assert app.extensions["migrate"].db is db
        assert app.extensions["migrate"].configure_args["render_as_batch"] is True


def test_the_production_entry_point_freezes_what_start_up_allocated(tmp_path):
    """``casework.wsgi:app`` (the README's gunicorn command) is the app, with the objects of
    start-up moved out of the garbage collector's full collections."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, CASEWORK_SECRET_KEY="x" * 40,
               CASEWORK_DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite'}")
    done = subprocess.run(
        [sys.executable, "-c", "import gc, casework.wsgi as w; "
         "print(type(w.app).__name__, gc.get_freeze_count() > 10000)"],
        env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.split() == ["Flask", "True"]
