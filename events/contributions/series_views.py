"""Contributions to a whole series: recorded once on the series page, kept as an even share
on every date (events.contributions.series). Same blueprint as the other contribution pages
(events.contributions.views)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.contributions import series as shares
from events.contributions.forms import ContributionForm
from events.contributions.views import bp, record_from_form
from events.errors import DomainError, NotAllowed, NotFound
from events.planning.forms import ActionForm
from events.planning.series import get_series, visible_occurrences

__all__ = ["bp"]


def _series_or_404(series_id: int):
    series = get_series(series_id)
    if series is None or not visible_occurrences(current_user, series):
        raise NotFound(_("The page does not exist, or you may not see it."))
    return series


def _back(series) -> str:
    return url_for("series.detail", series_id=series.id) + "#contributions"


@bp.route("/series/<int:series_id>/contributions/new", methods=["GET", "POST"])
@login_required
def new_for_series(series_id: int):
    """Record a contribution to every date of the series at once, shared evenly."""
    series = _series_or_404(series_id)
    partners = shares.partners_who_may_add(current_user, series)
    if not partners:
        raise NotAllowed(_("You cannot record contributions to every date of this series."))
    form = ContributionForm(partners=partners)
    rows = form.validate_on_submit() and record_from_form(
        form, partners, lambda partner: shares.add_series_contribution(
            current_user, series, partner, **form.values()))
    if rows:
        flash(_("Contribution recorded for %(num)d dates, an even share on each.",
                num=len(rows)), "success")
        return redirect(_back(series))
    status = 422 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, event=None, item=None,
                           series=series, dates=len(shares.series_dates(series)),
                           back_url=_back(series)), status


def _move(series_id: int, key: str, action):
    series = _series_or_404(series_id)
    if not ActionForm().validate_on_submit():
        raise DomainError(_("The form was changed or has expired. Reload the page and try "
                            "again."))
    return series, action(current_user, series, key)  # refusals: a friendly 4xx page


@bp.post("/series/<int:series_id>/contributions/<string:key>/deliver")
@login_required
def deliver_for_series(series_id: int, key: str):
    """Every still pledged date of a whole-series contribution is delivered."""
    series, count = _move(series_id, key, shares.deliver_series_contribution)
    flash(_("Delivered on %(num)d dates.", num=count), "success")
    return redirect(_back(series))


@bp.post("/series/<int:series_id>/contributions/<string:key>/withdraw")
@login_required
def withdraw_for_series(series_id: int, key: str):
    """Every still pledged date of a whole-series contribution is taken back."""
    series, count = _move(series_id, key, shares.withdraw_series_contribution)
    flash(_("Withdrawn on %(num)d dates.", num=count), "success")
    return redirect(_back(series))
