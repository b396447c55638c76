"""Property-based run of the API against its own OpenAPI document (schemathesis): as a
visitor and with a partner's staff token, no answer is a 5xx and every answer matches the
document (status, content type, headers, body). Kept small: a few examples per operation."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events.db import utcnow
from events.enums import EventStatus
from events.extensions import db
from tests.api.conftest import token_for
from tests.factories import make_event, make_involvement, make_partner, make_user, make_venue
from tests.phones import make_demo_series

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def scene(app):
    """Two partners, rooms, a draft, a proposal with an open invitation, published events."""
    a, b = make_partner(slug="alpha"), make_partner(slug="beta")
    make_venue(a)
    staff = make_user("staff", a)
    soon = utcnow().replace(microsecond=0) + timedelta(days=5)
    draft = make_event(lead=a, status=EventStatus.DRAFT)
    proposal = make_event(lead=a, status=EventStatus.PROPOSED, starts_at=soon,
                          ends_at=soon + timedelta(hours=1))
    invitation = make_involvement(proposal, b, state="invited")
    published = [make_event(lead=b, starts_at=soon + timedelta(days=n),
                            ends_at=soon + timedelta(days=n, hours=2)).id for n in range(3)]
    make_user("coordinator", b)
    series = make_demo_series(b)
    db.session.commit()
    return {"staff": token_for(staff), "ids": {
        "event_id": [draft.id, proposal.id, *published],
        "involvement_id": [invitation.id, *(i.id for i in proposal.involvements)],
        "series_id": [series.id]}}


# Every operation of the document (test_fuzz_covers_every_operation keeps this list whole).
OPERATIONS = [
    ("GET", "/api/v1/events"), ("POST", "/api/v1/events"),
    ("GET", "/api/v1/events/{event_id}"), ("PATCH", "/api/v1/events/{event_id}"),
    ("POST", "/api/v1/events/{event_id}/propose"),
    ("POST", "/api/v1/events/{event_id}/contributions"),
    ("POST", "/api/v1/involvements/{involvement_id}/answer"),
    ("GET", "/api/v1/series/{series_id}"), ("GET", "/api/v1/partners"),
    ("GET", "/api/v1/venues"), ("GET", "/api/v1/programmes"),
]


def _known_ids(case, ids: dict, draw):
    """Half the cases aim at rows that exist (made-up ids mostly find nothing)."""
    for name, values in ids.items():
        if name in (case.path_parameters or {}) and draw(st.booleans()):
            case.path_parameters[name] = draw(st.sampled_from(values))
    return case


def _fuzz(app, method: str, path: str, headers: dict | None, ids: dict) -> None:
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    generated = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))
    cases = st.composite(lambda draw: _known_ids(draw(generated), ids, draw))()

    @given(case=cases)
    @EXAMPLES
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_fuzz_covers_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    found = {(method.upper(), path) for path, item in spec["paths"].items()
             for method in item if method != "parameters"}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_fuzz_as_a_visitor(app, scene, method, path):
    _fuzz(app, method, path, None, scene["ids"])


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_fuzz_with_a_staff_token(app, scene, method, path):
    _fuzz(app, method, path, scene["staff"], scene["ids"])
