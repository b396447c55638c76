"""Two people move the same pledge at once: exactly one move wins, with one audit entry."""

import threading

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.contributions.models import Contribution
from events.enums import ContributionStatus
from events.extensions import db
from tests.conftest import login
from tests.factories import make_contribution


@pytest.mark.concurrency
@pytest.mark.parametrize("rounds", [range(4)])
def test_deliver_and_withdraw_race(coop, app, rounds):
    actors = [coop.staff["host"], coop.coordinators["host"]]
    items = [make_contribution(coop.event, coop.host) for _ in rounds]
    db.session.commit()
    event_id, item_ids = coop.event.id, [item.id for item in items]
    db.session.rollback()
    clients = []
    for actor in actors:
        client = app.test_client()
        login(client, actor)
        clients.append(client)
    for item_id in item_ids:
        barrier = threading.Barrier(2)
        codes = {}

        def move(client, action, item_id=item_id, barrier=barrier, codes=codes):
            barrier.wait()
            response = client.post(f"/events/{event_id}/contributions/{item_id}/{action}")
            codes[action] = response.status_code

        threads = [threading.Thread(target=move, args=(c, a))
                   for c, a in zip(clients, ("deliver", "withdraw"), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(codes.values()) == [302, 409], codes
        db.session.rollback()  # end this session's read snapshot (SQLite WAL) before looking
        status = db.session.scalar(sa.select(Contribution.status).where(
            Contribution.id == item_id))
        winner = "deliver" if codes["deliver"] == 302 else "withdraw"
        assert status == {"deliver": ContributionStatus.DELIVERED,
                          "withdraw": ContributionStatus.WITHDRAWN}[winner]
        moves = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.subject_type == "contributions", AuditEntry.subject_id == item_id,
            AuditEntry.action.in_(["contribution.delivered", "contribution.withdrawn"])))
        assert moves == 1
