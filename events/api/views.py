"""/api/v1: events (the agenda's filters, cursor pages), one event, a series with its dates,
partners, venues and programmes to read; for partner staff with a token, the draft-to-proposal
workflow, invitation answers and contributions, through the services the pages use."""

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import selectinload

from events import bilingual
from events.api import http, schemas
from events.auth.permissions import can_view_event
from events.contributions import services as contributions
from events.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from events.extensions import csrf, db, limiter
from events.partners.models import Venue
from events.partners.queries import active_venues, all_partners, partner_by_slug
from events.planning import services
from events.planning.access import not_there, visible_event
from events.planning.models import Event, Programme
from events.planning.queries import (
    EventFilters,
    all_programmes,
    apply_filters,
    get_involvement,
    visible_events,
)
from events.planning.series import get_series, visible_occurrences

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Joint Events public API")
bp.before_request(http.authenticate)
bp.after_request(http.finish)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=http.limit_key)(bp)

# The service's field names where the API's differ.
API_FIELD = {"venue": "venue_id"}


class JointEventsApi(Api):
    """flask-smorest's Api without its app-wide error handler: the app's own handlers
    (events.errors) already answer /api/ paths with problem documents."""

    def _register_error_handlers(self):
        pass


def register_api(app) -> None:
    app.config.setdefault("API_TITLE", "Joint Events")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    api = JointEventsApi(app)
    api.spec.components.schema("Problem", schema=schemas.Problem)
    csrf.exempt(bp)  # no cookie is read: see events.api.http.authenticate
    api.register_blueprint(bp)
    app.extensions["joint-events-api"] = api


# ---- reading ------------------------------------------------------------------------------

def _dump_event(event: Event) -> Event:
    """The event with what its JSON adds: its page, and slugs (null when there is none)."""
    event.url = url_for("planning.detail", event_id=event.id, _external=True)
    event.language = bilingual.language_of(event)
    event.programme_slug = event.programme.slug if event.programme else None
    lead = event.lead_partner
    event.lead_partner_slug = lead.slug if lead else None
    return event


def _filters(args: dict) -> EventFilters:
    partner = programme = None
    if args.get("partner"):
        partner = partner_by_slug(args["partner"])
        if partner is None:
            raise ValidationFailed(_("No partner has this short name."), field="partner")
    if args.get("programme"):
        programme = db.session.scalar(sa.select(Programme).where(
            Programme.slug == args["programme"]))
        if programme is None:
            raise ValidationFailed(_("No programme has this short name."), field="programme")
    q = " ".join((args.get("q") or "").split())
    return EventFilters(partner=partner, category=args.get("category"),
                        audience=args.get("audience"), format=args.get("format"), q=q,
                        programme=programme)


@bp.route("/events")
class Events(MethodView):
    @bp.arguments(schemas.EventQuery, location="query", as_kwargs=True)
    @bp.response(200, schemas.EventPage)
    def get(self, limit: int, cursor: str | None = None, **args):
        """Events this caller may see, soonest first, a page at a time: drafts only for
        their partner's staff, as on the site. Repeat the filters with `cursor`."""
        args.pop("lang", None)  # read by the app's language choice (events.i18n)
        stmt = apply_filters(visible_events(current_user), _filters(args)).options(
            selectinload(Event.programme))
        if args.get("status"):
            stmt = stmt.where(Event.status == args["status"])
        if args.get("starts_after"):
            stmt = stmt.where(Event.ends_at > args["starts_after"])
        if args.get("ends_before"):
            stmt = stmt.where(Event.starts_at < args["ends_before"])
        if cursor:
            after, after_id = http.read_cursor(cursor)
            stmt = stmt.where(sa.or_(Event.starts_at > after, sa.and_(
                Event.starts_at == after, Event.id > after_id)))
        rows = list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id)
                                       .limit(limit + 1)))
        page, more = rows[:limit], len(rows) > limit
        return {"items": [_dump_event(e) for e in page],
                "next_cursor": http.make_cursor(page[-1].starts_at, page[-1].id)
                if more else None}

    @bp.arguments(schemas.EventCreate)
    @bp.response(201, schemas.Event)
    def post(self, body: dict):
        """Create a draft led by the caller's partner (partner staff; admins name
        `lead_partner`)."""
        lead = None
        if body.get("lead_partner"):
            lead = partner_by_slug(body["lead_partner"])
            if lead is None:
                raise ValidationFailed(_("No partner has this short name."),
                                       field="lead_partner")
        values = _event_values(body)
        event = _as_api_fields(services.create_event, current_user, **values,
                               lead_partner=lead)
        return _dump_event(event), 201, {"Location": url_for("api.Event", event_id=event.id)}


@bp.route("/events/<int:event_id>", endpoint="Event")
class OneEvent(MethodView):
    @bp.response(200, schemas.Event)
    def get(self, event_id: int):
        """One event, when this caller may see it (else 404, as on the site)."""
        return _dump_event(visible_event(event_id))

    @bp.arguments(schemas.EventFields)
    @bp.response(200, schemas.Event)
    def patch(self, body: dict, event_id: int):
        """Change fields of an event (the lead partner's staff); only the fields sent."""
        event = visible_event(event_id)
        _as_api_fields(services.update_event, current_user, event, **_event_values(body))
        return _dump_event(event)


@bp.route("/series/<int:series_id>", endpoint="Series")
class OneSeries(MethodView):
    @bp.response(200, schemas.Series)
    def get(self, series_id: int):
        """A series with the dates this caller may see; none visible → 404."""
        series = get_series(series_id) if series_id <= 2**31 - 1 else None
        dates = visible_occurrences(current_user, series) if series else []
        if not dates:
            raise NotFound(_("The page does not exist, or you may not see it."))
        return {"id": series.id, "title": series.title, "title_ru": series.title_ru,
                "title_en": series.title_en, "lead_partner": series.lead_partner,
                "timezone": series.timezone, "frequency": series.frequency,
                "interval": series.interval,
                "occurrences": [_dump_event(e) for e in dates]}


@bp.get("/partners")
@bp.response(200, schemas.Partner(many=True))
def partners():
    """Every partner of the memorandum."""
    return all_partners()


@bp.get("/venues")
@bp.response(200, schemas.Venue(many=True))
def venues():
    """The rooms in use, by partner."""
    return active_venues()


@bp.get("/programmes")
@bp.response(200, schemas.Programme(many=True))
def programmes():
    """The action programmes grouping events."""
    return [{"id": p.id, "slug": p.slug, "title": p.title, "description": p.description,
             **bilingual.texts(p), "partners": [partner.slug for partner in p.partners]}
            for p in all_programmes()]


# ---- the workflow ---------------------------------------------------------------------------

@bp.post("/events/<int:event_id>/propose")
@bp.response(200, schemas.Event)
def propose(event_id: int):
    """Draft → proposed: the invited partners see it and hear of their invitations."""
    event = visible_event(event_id)
    services.propose_event(current_user, event)
    return _dump_event(event)


@bp.post("/involvements/<int:involvement_id>/answer")
@bp.arguments(schemas.Answer)
@bp.response(200, schemas.Event)
def answer(body: dict, involvement_id: int):
    """The invited partner's staff accept or decline (`involvements[].id` of the event)."""
    involvement = get_involvement(involvement_id)
    if involvement is None or not can_view_event(current_user, involvement.event):
        raise not_there(involvement.event_id if involvement else 0)
    services.answer_invitation(current_user, involvement, body["accept"], body["note"])
    return _dump_event(involvement.event)


@bp.post("/events/<int:event_id>/contributions")
@bp.arguments(schemas.ContributionCreate)
@bp.response(201, schemas.Contribution)
def contribute(body: dict, event_id: int):
    """Record what a partner pledges to the event (that partner's staff)."""
    event = visible_event(event_id)
    slug = body.pop("partner", None)
    partner = (next((i.partner for i in event.involvements if i.partner.slug == slug), None)
               if slug else current_user.partner)
    if partner is None and not slug and not current_user.is_admin:
        raise NotAllowed(_("You cannot record contributions of this partner to this event."))
    if partner is None:
        raise ValidationFailed(_("Choose a partner taking part in the event."), field="partner")
    return contributions.add_contribution(current_user, event, partner, **body), 201


# ---- helpers --------------------------------------------------------------------------------

def _event_values(body: dict) -> dict:
    """The API's fields as the service's: rooms and programmes as objects (instants are
    already UTC, see schemas.Instant)."""
    values = {k: v for k, v in body.items() if k != "lead_partner"}
    if "venue_id" in values:
        venue_id = values.pop("venue_id")
        venue = db.session.get(Venue, venue_id) if venue_id is not None else None
        if venue_id is not None and venue is None:
            raise ValidationFailed(_("There is no room with this id."), field="venue_id")
        values["venue"] = venue
    if "programme" in values:
        slug = values["programme"]
        values["programme"] = None if slug is None else db.session.scalar(
            sa.select(Programme).where(Programme.slug == slug))
        if slug is not None and values["programme"] is None:
            raise ValidationFailed(_("No programme has this short name."), field="programme")
    return values


def _as_api_fields(service, *args, **kwargs):
    """Call the service; a refusal names the API's field (venue_id, not venue)."""
    try:
        return service(*args, **kwargs)
    except DomainError as error:
        if error.field in API_FIELD:
            error.field = API_FIELD[error.field]
        errors = getattr(error, "errors", None)
        if errors:
            error.errors = {API_FIELD.get(k, k): v for k, v in errors.items()}
        raise


# ---- the document and its reader ----------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    from events.api.document import document

    return document(current_app.extensions["joint-events-api"])


@bp.get("/docs")
def docs():
    """The interactive API reference (Swagger UI, served from this site)."""
    return render_template("api/docs.html")
