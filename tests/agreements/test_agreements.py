"""The register: who sees and edits agreements, what a valid one is, the signed PDF kept on
disk with its checksum, served only to the parties, and every change in the history."""

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from events.agreements.enums import AgreementStatus
from events.agreements.models import Agreement
from events.audit.models import AuditEntry
from events.extensions import db
from tests.agreements.conftest import PDF
from tests.conftest import login

NEW = {"title": "Additional agreement No. 2", "number": "AA-2", "signed_on": "2031-03-01",
       "starts_on": "2031-03-01", "ends_on": "2031-12-31", "status": "in_force",
       "notes": "Про **выставки**"}


def actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_parties_staff_see_the_register_others_do_not(world, client):
    login(client, world.staff_b)
    page = client.get("/agreements").get_data(as_text=True)
    assert "Меморандум" in page
    assert "Additional agreement No. 1" in page
    assert client.get(f"/agreements/{world.memorandum.id}").status_code == 200
    login(client, world.staff_c)
    assert "Меморандум" not in client.get("/agreements").get_data(as_text=True)
    assert client.get(f"/agreements/{world.memorandum.id}").status_code == 404
    assert client.get(f"/agreements/{world.memorandum.id}/report/2031").status_code == 404
    assert client.get(f"/agreements/{world.memorandum.id}/targets.csv").status_code == 404
    login(client, world.resident)
    assert client.get("/agreements").status_code == 403
    login(client, world.admin)
    assert "Меморандум" in client.get("/agreements").get_data(as_text=True)


def test_a_coordinator_enters_an_agreement_with_their_partner_among_the_parties(world, client):
    login(client, world.coord_b)
    response = client.post("/agreements/new", data=NEW | {"parties": [world.a.id, world.c.id]})
    assert response.status_code == 422
    assert "The partner you work for must be a party." in response.get_data(as_text=True)
    response = client.post("/agreements/new", data=NEW | {"parties": [world.b.id]})
    assert "Choose two or more partners." in response.get_data(as_text=True)
    response = client.post("/agreements/new",
                           data=NEW | {"parties": [world.b.id, world.c.id]})
    assert response.status_code == 302
    agreement = db.session.scalars(sa.select(Agreement).where(Agreement.number == "AA-2")).one()
    assert agreement.party_ids == {world.b.id, world.c.id}
    assert agreement.status == AgreementStatus.IN_FORCE
    assert agreement.ends_on == date(2031, 12, 31)
    assert actions()[-1] == "agreement.create"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>выставки</strong>" in page
    assert "agreement.create" in page


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "This field is required."),
    ({"ends_on": "2031-01-01"}, "The last day is before the first."),
    ({"status": "signed"}, "Not a valid choice"),
    ({"signed_on": ""}, "Give the date it was signed."),
    ({"starts_on": "31.02.2031"}, "This field is required."),
])
def test_wrong_agreements_are_refused_beside_the_field(world, client, change, message):
    login(client, world.admin)
    response = client.post("/agreements/new",
                           data=NEW | {"parties": [world.a.id, world.b.id]} | change)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_only_admins_and_the_parties_coordinators_edit(world, client):
    url = f"/agreements/{world.memorandum.id}/edit"
    data = NEW | {"title": "Меморандум (ред. 2)", "parties": [world.a.id, world.b.id],
                  "ends_on": ""}
    for user, status in ((world.staff_a, 403), (world.coord_c, 404), (world.resident, 404)):
        login(client, user)
        assert client.post(url, data=data).status_code == status
    login(client, world.staff_a)
    assert f'href="{url}"' not in client.get(f"/agreements/{world.memorandum.id}").get_data(
        as_text=True)
    login(client, world.coord_a)
    assert client.post(url, data=data | {"parties": [world.a.id, world.b.id, world.c.id]}
                       ).status_code == 302
    db.session.expire_all()
    assert world.memorandum.title == "Меморандум (ред. 2)"
    assert world.memorandum.party_ids == {world.a.id, world.b.id, world.c.id}
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "agreement.update")).one()
    assert entry.changes["parties"] == ["Север, Techno", "Север, Techno, Third"]
    assert entry.changes["title"] == ["Меморандум", "Меморандум (ред. 2)"]


# ---- the signed document ----------------------------------------------------------------

def _upload(client, agreement, data, name="signed.pdf"):
    return client.post(f"/agreements/{agreement.id}/document",
                       data={"document": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_signed_pdf_is_kept_on_disk_with_its_checksum(app, world, client):
    login(client, world.coord_a)
    response = _upload(client, world.memorandum, PDF, "Меморандум подписан.pdf")
    assert response.status_code == 302
    db.session.expire_all()
    checksum = hashlib.sha256(PDF).hexdigest()
    assert world.memorandum.document_sha256 == checksum
    assert world.memorandum.document_size == len(PDF)
    stored = Path(app.config["AGREEMENT_FILES"]) / f"{checksum}.pdf"
    assert stored.read_bytes() == PDF
    assert actions()[-1] == "agreement.document"
    login(client, world.staff_b)  # the other party's staff read it
    response = client.get(f"/agreements/{world.memorandum.id}/document")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%D0%9C" in response.headers["Content-Disposition"]
    login(client, world.staff_c)
    assert client.get(f"/agreements/{world.memorandum.id}/document").status_code == 404


def test_a_changed_file_is_never_served(app, world, client):
    login(client, world.coord_a)
    _upload(client, world.memorandum, PDF)
    path = Path(app.config["AGREEMENT_FILES"]) / f"{hashlib.sha256(PDF).hexdigest()}.pdf"
    path.write_bytes(PDF + b"tampered")
    response = client.get(f"/agreements/{world.memorandum.id}/document")
    assert response.status_code == 409
    assert "does not match its checksum" in response.get_data(as_text=True)
    path.unlink()
    assert client.get(f"/agreements/{world.memorandum.id}/document").status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Choose the signed PDF file."),
    (b"<html>not a pdf</html>", "This is not a PDF file."),
    (b"MZ\x90\x00 pretending %PDF-1.4 %%EOF", "This is not a PDF file."),
    (b"%PDF-1.4 truncated without its end", "This is not a PDF file."),
])
def test_what_is_not_a_pdf_is_refused(world, client, data, message):
    login(client, world.coord_a)
    response = _upload(client, world.memorandum, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.memorandum.document_sha256 is None


def test_large_files_are_refused(app, world, client):
    app.config["AGREEMENT_FILE_MAX_BYTES"] = 1000
    app.config["AGREEMENT_MAX_CONTENT_LENGTH"] = 100_000
    login(client, world.coord_a)
    big = PDF[:-6] + b" " * 1200 + b"%%EOF\n"
    response = _upload(client, world.memorandum, big)
    assert response.status_code == 422
    assert "larger than" in response.get_data(as_text=True)
    huge = PDF + b" " * 200_000  # past the request limit: refused before it is read
    assert _upload(client, world.memorandum, huge).status_code == 413


def test_staff_may_not_upload_or_see_upload_form(world, client):
    login(client, world.staff_a)
    assert _upload(client, world.memorandum, PDF).status_code == 403
    page = client.get(f"/agreements/{world.memorandum.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in page
    assert "No signed document" in client.get(
        f"/agreements/{world.memorandum.id}/document").get_data(as_text=True)
