"""casework: case management for Latvian municipal child-protection cooperation groups."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Create the application; ``config`` overrides the environment (used by tests)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    from casework.config import check_config, load_config

    app.config.from_mapping(load_config(app.instance_path))
    if config:
        app.config.from_mapping(config)
    if "MAX_CONTENT_LENGTH" not in (config or {}):
        from casework.config import request_size_limit

        app.config["MAX_CONTENT_LENGTH"] = request_size_limit(app.config["MAX_UPLOAD_MB"])
    check_config(app.config)
    from casework.config import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from casework import errors, i18n, inputs, security
    from casework.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    _init_login(app, login_manager)
    security.init_app(app)
    errors.init_app(app)
    inputs.init_app(app)  # before the blueprints: their rules bind the int converter
    from casework import web

    web.init_app(app)

    from importlib import import_module

    for domain in ("main", "auth", "admin", "audit", "cases", "groups", "decisions", "tasks",
                   "calendars", "notifications", "reports", "documents", "persons", "plans",
                   "imports", "dpo"):
        app.register_blueprint(import_module(f"casework.{domain}.views").bp)

    from casework import api

    api.init_app(app)

    from casework import cli
    from casework.cases import filters as case_filters

    case_filters.init_app(app)

    cli.init_app(app)
    from casework.reports import cli as report_cli

    report_cli.init_app(app)
    from casework import jobs

    jobs.init_app(app)
    return app


def _init_login(app: Flask, login_manager) -> None:
    from flask_babel import lazy_gettext as _l

    from casework.auth import sessions

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(key: str):
        # The cookie holds the key of a server-side session, not the user id: ending the
        # session row (logout, password change, timeouts) ends every copy of the cookie.
        return sessions.load_session(key)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort, flash, g, redirect, request, url_for

        from casework.access import wants_json
        from casework.security import keep_post_after_expiry

        if wants_json():
            abort(401)
        kept = keep_post_after_expiry()
        if kept is not None:
            return kept
        if not g.get("session_end_flashed"):
            flash(str(login_manager.login_message), "info")
        nxt = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=nxt))
