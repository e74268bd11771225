"""Pages of the groups domain (routes only: load, check access, call the service, render)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("groups", __name__)
