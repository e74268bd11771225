"""Pages of the reports domain (routes only: load, check access, call the service, render)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
