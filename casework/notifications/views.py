"""Pages of the notifications domain (routes only: load, check access, call the service, render)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__)
