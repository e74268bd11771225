"""Configuration from ``CASEWORK_*`` environment variables (DESIGN.md §7).

Nothing here touches the network or the database; ``load_config`` only reads the environment
and the instance folder, where it creates the secret key on first run.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

MIN_SECRET_KEY_LENGTH = 32
#: The largest request body (there are no file uploads; the longest text is 50,000
#: characters, up to six bytes each when form-encoded).
MAX_CONTENT_LENGTH = 4 * 1024 * 1024


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, variable: str = "CASEWORK_SECRET_KEY",
                file_name: str = "secret_key") -> str:
    """Return the ``variable`` or the key in the instance folder, creating it once."""
    key = os.environ.get(variable)
    if key:
        return key
    key_file = instance_path / file_name
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions: the secret key signs every session cookie, the
    # audit key seals the audit log.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


DEFAULT_MAX_UPLOAD_MB = 20
#: Room for the form's other fields around the largest file, before the server answers 413.
UPLOAD_MARGIN_BYTES = 1024 * 1024


def _upload_mb(value: str | None) -> float:
    try:
        mb = float(value) if value else DEFAULT_MAX_UPLOAD_MB
    except ValueError as error:
        raise ConfigurationError("CASEWORK_MAX_UPLOAD_MB must be a number of megabytes.") \
            from error
    if mb <= 0:
        raise ConfigurationError("CASEWORK_MAX_UPLOAD_MB must be more than 0.")
    return mb


def request_size_limit(max_upload_mb: float) -> int:
    """``MAX_CONTENT_LENGTH``: one file of the upload limit plus the form around it. A file
    within the margin is refused by the form with a message; a larger request gets 413."""
    return int(max_upload_mb * 1024 * 1024) + UPLOAD_MARGIN_BYTES


#: Roles that see case content (DESIGN.md §2), the administrators, and the data protection
#: officer (who reads the case audit): they must log in with a second factor.
DEFAULT_TWO_FACTOR_ROLES = ("admin", "head_of_service", "case_manager", "specialist", "auditor")
_ROLE_NAMES = ("admin", "coordinator", "head_of_service", "case_manager", "specialist",
               "inspector", "auditor")


def _two_factor_roles(value: str | None) -> tuple[str, ...]:
    """``CASEWORK_TWO_FACTOR_ROLES``: comma-separated roles, ``none`` for nobody; unset gives
    the default."""
    if value is None or not value.strip():
        return DEFAULT_TWO_FACTOR_ROLES
    if value.strip().lower() == "none":
        return ()
    roles = tuple(sorted({r.strip() for r in value.split(",") if r.strip()}))
    unknown = [r for r in roles if r not in _ROLE_NAMES]
    if unknown:
        raise ConfigurationError(
            f"CASEWORK_TWO_FACTOR_ROLES names unknown roles: {', '.join(unknown)} "
            f"(known: {', '.join(_ROLE_NAMES)}, or 'none')."
        )
    return roles


def engine_options(config) -> dict:
    """``SQLALCHEMY_ENGINE_OPTIONS`` for the configured database. On PostgreSQL the server's
    just-in-time compiler is off unless ``CASEWORK_POSTGRES_JIT=on``: casework's statements
    are short, and compiling them took longer than running them (the annual report of a
    20 000-case municipality spent 1.4 s of 2.3 s compiling).

    The planner's ``random_page_cost`` is ``CASEWORK_POSTGRES_RANDOM_PAGE_COST`` (1.1 by
    default, the usual value for SSDs and a database held in memory; ``server`` keeps the
    server's): with the server default of 4, PostgreSQL scanned a municipality's 100 000 case
    persons rather than probe the index for a service's 1 700 cases (57 ms instead of 8)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("postgresql"):
        return options
    settings = []
    if not config.get("POSTGRES_JIT"):
        settings.append(("jit", "off"))
    if config.get("POSTGRES_RANDOM_PAGE_COST"):
        settings.append(("random_page_cost", config["POSTGRES_RANDOM_PAGE_COST"]))
    connect_args = dict(options.get("connect_args") or {})
    given = connect_args.get("options", "")
    added = " ".join(f"-c {name}={value}" for name, value in settings if name not in given)
    if added:
        connect_args["options"] = f"{given} {added}".strip()
        options["connect_args"] = connect_args
    return options


def _random_page_cost(value: str | None) -> str | None:
    """``CASEWORK_POSTGRES_RANDOM_PAGE_COST``: a positive number, or ``server``."""
    value = (value or "1.1").strip().lower()
    if value == "server":
        return None
    try:
        if float(value) > 0:
            return value
    except ValueError:
        pass
    raise ValueError("CASEWORK_POSTGRES_RANDOM_PAGE_COST must be a positive number or 'server'")


def load_config(instance_path: str) -> dict:
    """Build the app configuration from the environment and the instance folder."""
    path = Path(instance_path)
    path.mkdir(parents=True, exist_ok=True)
    env = os.environ.get
    lifetime_hours = float(env("CASEWORK_SESSION_LIFETIME_HOURS") or 12)
    database_url = env("CASEWORK_DATABASE_URL") or f"sqlite:///{path / 'casework.sqlite'}"
    return {
        "SECRET_KEY": _secret_key(path),
        # The HMAC key of the audit log's hash chain, kept outside the database: whoever can
        # write the database but does not hold the key cannot recompute the chain unseen.
        "AUDIT_KEY": _secret_key(path, "CASEWORK_AUDIT_KEY", "audit_key"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "POSTGRES_JIT": (env("CASEWORK_POSTGRES_JIT") or "off").strip().lower()
        in ("1", "on", "true", "yes"),
        "POSTGRES_RANDOM_PAGE_COST": _random_page_cost(env("CASEWORK_POSTGRES_RANDOM_PAGE_COST")),
        "MAIL_SERVER": env("CASEWORK_MAIL_SERVER") or None,
        "MAIL_FROM": env("CASEWORK_MAIL_FROM", "casework@localhost"),
        "MAIL_PORT": int(env("CASEWORK_MAIL_PORT") or 25),
        # STARTTLS on a plain connection, or SMTP over TLS from the start (port 465).
        "MAIL_USE_TLS": _bool(env("CASEWORK_MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env("CASEWORK_MAIL_USE_SSL"), False),
        # Seconds before a silent SMTP server counts as failed (connect and every reply).
        "MAIL_TIMEOUT": float(env("CASEWORK_MAIL_TIMEOUT") or 10),
        "MAIL_USERNAME": env("CASEWORK_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("CASEWORK_MAIL_PASSWORD") or None,
        # E-mails carry absolute links to the app; pages use relative ones.
        "BASE_URL": (env("CASEWORK_BASE_URL") or "http://localhost:5000").rstrip("/"),
        "RATELIMIT_STORAGE_URI": env("CASEWORK_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env("CASEWORK_LOGIN_RATE_LIMIT", "20 per 15 minutes"),
        "API_RATE_LIMIT": env("CASEWORK_API_RATE_LIMIT", "300 per minute"),
        "REPORT_RECIPIENT": env(
            "CASEWORK_REPORT_RECIPIENT", "Bērnu aizsardzības centrs (BAC, agrāk VBTAI)"
        ),
        "PROXY_FIX": _bool(env("CASEWORK_PROXY_FIX"), False),
        # Documents: files live outside the database, in a folder or an S3-compatible bucket.
        "STORAGE_PATH": env("CASEWORK_STORAGE_PATH") or str(path / "documents"),
        "STORAGE_S3_BUCKET": env("CASEWORK_STORAGE_S3_BUCKET") or None,
        "STORAGE_S3_PREFIX": env("CASEWORK_STORAGE_S3_PREFIX") or "",
        "STORAGE_S3_ENDPOINT_URL": env("CASEWORK_STORAGE_S3_ENDPOINT_URL") or None,
        "MAX_UPLOAD_MB": _upload_mb(env("CASEWORK_MAX_UPLOAD_MB")),
        # Session and cookie hardening (STYLE.md 9).
        "SESSION_COOKIE_SECURE": _bool(env("CASEWORK_COOKIE_SECURE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "casework_session",
        # The idle timeout and the absolute lifetime are enforced against the server-side
        # session record (casework/auth/sessions.py); the signed cookie's own lifetime is
        # only an outer bound.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=lifetime_hours),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_LIFETIME_HOURS": lifetime_hours,
        # The page warns this many minutes before the idle timeout, with "stay signed in".
        "SESSION_WARNING_MINUTES": 5,
        # A form posted after its session ended is kept this long, up to this size.
        "KEPT_FORM_MINUTES": 60,
        "KEPT_FORM_MAX_BYTES": 256 * 1024,
        "REMEMBER_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own idle timeout bounds the token
        "LOCKOUT_THRESHOLD": 5,
        "LOCKOUT_MINUTES": 15,
        "PASSWORD_MIN_LENGTH": 10,
        "PASSWORD_HASH_METHOD": "scrypt",
        # Two-factor login (casework/auth/twofactor.py). The TOTP secrets are encrypted with
        # this Fernet key; unset, a key is derived from the secret key (rotating the secret
        # key then means every user enrols again).
        "TWO_FACTOR_REQUIRED_ROLES": _two_factor_roles(env("CASEWORK_TWO_FACTOR_ROLES")),
        "TWO_FACTOR_KEY": env("CASEWORK_TWO_FACTOR_KEY") or None,
        "TWO_FACTOR_ISSUER": env("CASEWORK_TWO_FACTOR_ISSUER") or "casework",
        # After a correct password the code must follow within this many minutes.
        "TWO_FACTOR_PENDING_MINUTES": 5,
        # Single sign-on with an OpenID Connect provider (casework/auth/sso.py): on only when
        # the issuer, the client id and the secret are all set.
        "SSO_ISSUER": (env("CASEWORK_SSO_ISSUER") or "").rstrip("/") or None,
        "SSO_CLIENT_ID": env("CASEWORK_SSO_CLIENT_ID") or None,
        "SSO_CLIENT_SECRET": env("CASEWORK_SSO_CLIENT_SECRET") or None,
        "SSO_LABEL": env("CASEWORK_SSO_LABEL") or "single sign-on",
        # The claim holding the user's address: "email" (then only with email_verified), or
        # for Entra ID "preferred_username" together with the directory's tenant id.
        "SSO_EMAIL_CLAIM": env("CASEWORK_SSO_EMAIL_CLAIM") or "email",
        "SSO_TENANT": env("CASEWORK_SSO_TENANT") or None,
        # The provider enforces its own multi-factor login (e.g. Entra ID Conditional
        # Access): a login through it counts as the second factor.
        "SSO_SATISFIES_TWO_FACTOR": _bool(env("CASEWORK_SSO_SATISFIES_TWO_FACTOR"), True),
        "BABEL_DEFAULT_LOCALE": "lv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Riga",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("lv", "en"),
        # Larger bodies get 413 (casework.inputs); a text part of a multipart body may be
        # as large, so that the form can say which field is too long.
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "MAX_FORM_MEMORY_SIZE": MAX_CONTENT_LENGTH,
        "TESTING": False,
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_config(config) -> None:
    """Refuse to start with settings that would be unsafe in production."""
    key = config.get("SECRET_KEY") or ""
    if not config.get("TESTING") and len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"CASEWORK_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long."
        )
    audit_key = config.get("AUDIT_KEY") or ""
    if not config.get("TESTING") and len(audit_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"CASEWORK_AUDIT_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long."
        )
