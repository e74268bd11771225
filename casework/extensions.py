"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import click
from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# A naming convention keeps constraint names stable between SQLite and PostgreSQL, so
# Alembic migrations can refer to them (and batch mode on SQLite can drop them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, **kwargs):
        """``page`` and ``per_page`` from the query string as the app reads numbers
        (``casework.inputs.BoundedArgs``): one that does not fit the database's integer counts
        as no number, so the offset cannot overflow."""
        if has_request_context():
            if page is None:
                page = request.args.get("page", 1, type=int)
            if per_page is None:
                per_page = request.args.get("per_page", 20, type=int)
        return super().paginate(select, page=page, per_page=per_page, **kwargs)


class _MigrationCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when one of its commands runs."""

    def __init__(self):
        super().__init__("db", help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


class _DeferredMigrateConfig:
    """``app.extensions["migrate"]`` until something reads it: then Flask-Migrate is bound to
    the app (which puts its own configuration there) and answers."""

    def __init__(self, app, db, options):
        self._app, self._db, self._options = app, db, options

    def __getattr__(self, name):
        from flask_migrate import Migrate

        Migrate(self._app, self._db, **self._options)
        return getattr(self._app.extensions["migrate"], name)


class LazyMigrate:
    """Flask-Migrate, imported only by the migration commands and whoever reads
    ``app.extensions["migrate"]`` (``flask db upgrade``, the tests, ``migrations/env.py``):
    importing it imports Alembic, a quarter of a second of every start of the app (every
    ``flask run-due-jobs`` too) for commands that do not migrate."""

    def init_app(self, app, db, **options):
        app.extensions["migrate"] = _DeferredMigrateConfig(app, db, options)
        app.cli.add_command(_MigrationCommands())


db = _SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
