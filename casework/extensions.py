"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
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


db = _SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
