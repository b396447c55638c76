"""Imports every model so that metadata, migrations and the shell see the whole schema."""

from events.agreements.models import Agreement, ExchangeRate, RateCard, RateLine, Target
from events.api.models import ApiToken
from events.audit.models import AuditEntry
from events.auth.models import User
from events.calendar.models import CalendarState, FeedToken, ImportJob, StoredVEvent
from events.contributions.models import Contribution
from events.ops.models import WorkerHeartbeat
from events.outbox.models import OutboxMessage
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement, Programme
from events.registrations.models import (
    Feedback,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
)
from events.residents.models import CompanyDomain, ResidentCompany
from events.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agreement", "ApiToken", "AuditEntry", "CalendarState", "CompanyDomain", "Contribution",
    "Event", "ExchangeRate", "FeedToken", "Feedback", "ImportJob", "Involvement",
    "OutboxMessage", "Partner", "Programme", "RateCard", "RateLine", "Registration",
    "RegistrationAnswer", "RegistrationQuestion", "ResidentCompany", "StoredVEvent", "Target",
    "User", "Venue", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WorkerHeartbeat",
]
