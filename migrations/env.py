"""Alembic environment: runs migrations against the app's database (Flask-Migrate)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import casework.models  # noqa: E402,F401  (every model registers its table)

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Render our UTC type as a plain timezone-aware DateTime: migrations import no app code."""
    from casework.db_types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def get_metadata():
    return target_db.metadata


def run_migrations_offline():
    url = str(target_db.engine.url).replace("%", "%%")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_item", render_item)
    connectable = target_db.engine
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
