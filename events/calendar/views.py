"""iCalendar downloads and feeds over HTTP."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
