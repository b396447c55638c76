"""Recording contributions and the cooperation reports."""

from flask import Blueprint

bp = Blueprint("contributions", __name__)
