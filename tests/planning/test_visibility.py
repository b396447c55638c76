"""Who sees what, as a matrix: role × status × audience → in the agenda, page visible, may edit.

The expectations are written from DESIGN.md, independently of the permission code: drafts
only to the lead partner; proposals to involved partners; internal events to staff only;
residents-only events to signed-in residents and staff; public to all. Admins see everything.
"""

import pytest

from events.enums import Audience, EventStatus, InvolvementState, Role
from events.extensions import db
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_partner, make_user

ROLES = ["visitor", "resident", "lead_staff", "lead_coordinator", "invited_staff",
         "other_staff", "admin"]
STATUSES = list(EventStatus)
AUDIENCES = list(Audience)


def expected(role: str, status: EventStatus, audience: Audience) -> tuple[bool, bool, bool]:
    if role == "admin":
        page = True
    elif status == EventStatus.DRAFT:
        page = role in ("lead_staff", "lead_coordinator")
    elif status == EventStatus.PROPOSED:
        page = role in ("lead_staff", "lead_coordinator", "invited_staff")
    elif audience == Audience.PUBLIC:
        page = True
    elif audience == Audience.RESIDENTS:
        page = role != "visitor"
    else:
        page = role in ("lead_staff", "lead_coordinator", "invited_staff", "other_staff")
    in_list = page and status != EventStatus.DRAFT  # the agenda never lists drafts
    may_edit = (role in ("lead_staff", "lead_coordinator", "admin")
                and status != EventStatus.CANCELLED)
    return in_list, page, may_edit


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda a: a.value)
@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.value)
@pytest.mark.parametrize("role", ROLES)
def test_visibility_matrix(app, client, role, status, audience):
    lead, invited, other = make_partner(), make_partner(), make_partner()
    event = make_event(lead=lead, status=status, audience=audience, title="Matrix event")
    make_involvement(event, invited, state=InvolvementState.INVITED)
    people = {
        "resident": make_user(Role.RESIDENT),
        "lead_staff": make_user(Role.STAFF, lead),
        "lead_coordinator": make_user(Role.COORDINATOR, lead),
        "invited_staff": make_user(Role.STAFF, invited),
        "other_staff": make_user(Role.STAFF, other),
        "admin": make_user(Role.ADMIN),
    }
    db.session.commit()
    if role != "visitor":
        login(client, people[role])
    in_list, page, may_edit = expected(role, status, audience)

    agenda = client.get("/").get_data(as_text=True)
    assert ("Matrix event" in agenda) is in_list
    assert (client.get(f"/events/{event.id}").status_code == 200) is page
    edit = client.get(f"/events/{event.id}/edit")
    assert (edit.status_code == 200) is may_edit
    if not may_edit:
        assert edit.status_code in (302, 403, 404, 409)
    calendar = client.get("/calendar?view=week&week="
                          + event.local_starts_at.date().isoformat()).get_data(as_text=True)
    assert ("Matrix event" in calendar) is page
