"""Every action that sends mail, driven over HTTP as people do it: sign in through the form,
real CSRF tokens, the pages' own forms. Shared by every configuration the smoke suite starts;
each step checks the mail that action must send, with its .ics parsed back."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.smoke.client import Client, Response
from tests.smoke.mailboxes import Mail, Mailbox

MOSCOW = ZoneInfo("Europe/Moscow")
PASSWORD = "smoke-password-1"


@dataclass
class Site:
    """One running configuration, as the scenario sees it."""

    base_url: str  # where the test reaches the server
    link_base: str  # where absolute links in mail and feeds must point
    mailbox: Mailbox
    lead: tuple[str, str]  # (email, password) of the lead partner's coordinator
    guest: tuple[str, str]  # (email, password) of the invited partner's coordinator
    guest_partner: str  # text of the invited partner in the invite form's choices
    site_partner: str  # text of a partner in the sign-up form's "resides at" choices
    server_output: object = lambda: ""

    def client(self) -> Client:
        return Client(self.base_url, on_5xx=self.server_output)


def event_id_of(response: Response) -> int:
    found = re.fullmatch(r"/events/(\d+)", response.path)
    assert found, f"expected an event page, got {response.url} ({response.status})"
    return int(found.group(1))


def action_on(page: Response, pattern: str) -> str:
    """The action of the first form on `page` whose action matches `pattern`."""
    found = re.search(r'action="(' + pattern + r')"', page.text)
    assert found, f"no form posting to {pattern} on {page.url}"
    return found.group(1)


def local(day: date, hour: int) -> str:
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def sign_up(site: Site, label: str) -> tuple[Client, str]:
    """A new resident creates an account through the sign-up form (signed in afterwards)."""
    client = site.client()
    address = f"{label}-{secrets.token_hex(4)}@resident.example"
    page = client.get("/signup")
    form = page.form()
    response = client.submit(page, data={
        "name": f"Resident {label.title()}", "email": address, "company": "Smoke Test Labs",
        "site_partner": form.option_value("site_partner", site.site_partner),
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status == 200, response.text[:2000]
    assert 'action="/signout"' in response.text, response.text[:2000]
    return client, address


def create_event(lead: Client, title: str, day: date, capacity: int | None) -> int:
    response = lead.submit("/events/new", data={
        "title_en": title, "summary_en": "Checked end to end by the smoke suite.",
        "category": "workshop", "format": "online", "online_url": "https://meet.example.org/x",
        "venue": "0", "timezone": "Europe/Moscow", "starts_at": local(day, 10),
        "ends_at": local(day, 12), "capacity": "" if capacity is None else str(capacity),
        "audience": "public"})
    return event_id_of(response)


def expect_links(mail: Mail, site: Site) -> None:
    """Absolute links in the mail and in its .ics point where the site is served."""
    links = re.findall(r"https?://[^\s\"'<>]+", mail.body)
    ours = [link for link in links if "meet.example.org" not in link]
    assert ours, f"no link in {mail.subject!r}"
    for link in ours:
        assert link.startswith(site.link_base + "/"), f"{link} is not under {site.link_base}"
    if mail.attachments:
        assert str(mail.vevent["URL"]).startswith(site.link_base + "/events/")


def path_of(link: str, site: Site) -> str:
    return link.removeprefix(site.link_base)


def run_every_mail_action(site: Site) -> dict:
    """Propose + invite, answer, schedule, register, waitlist, cancel (page, link, my events),
    raise capacity, move, cancel the event; returns what later checks may want."""
    box = site.mailbox
    day = (datetime.now(MOSCOW) + timedelta(days=40)).date()
    title = f"Smoke check {secrets.token_hex(3)}"

    lead = site.client()
    lead.sign_in(*site.lead)
    guest = site.client()
    guest.sign_in(*site.guest)

    # A draft with an invitation, then proposed: the invited partner's coordinator hears of it.
    event_id = create_event(lead, title, day, capacity=1)
    page = lead.get(f"/events/{event_id}")
    form = page.form(f"/events/{event_id}/invite")
    lead.submit(page, f"/events/{event_id}/invite", data={
        "partner": form.option_value("partner", site.guest_partner), "role": "co-host"})
    mark = box.mark()
    lead.submit(f"/events/{event_id}", f"/events/{event_id}/propose")
    invitation = box.expect(site.guest[0], title, since=mark)
    assert invitation.vevent["UID"]
    assert str(invitation.vevent["SUMMARY"]).endswith(title) or title in str(
        invitation.vevent["SUMMARY"])
    expect_links(invitation, site)

    # An event proposed first, a partner invited afterwards: the invitation goes at once; the
    # partner declines it.
    second = create_event(lead, title + " (second)", day + timedelta(days=1), capacity=None)
    lead.submit(f"/events/{second}", f"/events/{second}/propose")
    page = lead.get(f"/events/{second}")
    form = page.form(f"/events/{second}/invite")
    mark = box.mark()
    lead.submit(page, f"/events/{second}/invite", data={
        "partner": form.option_value("partner", site.guest_partner), "role": "supporter"})
    box.expect(site.guest[0], title + " (second)", since=mark).ics  # noqa: B018 — parses
    page = guest.get(f"/events/{second}")
    answered = guest.submit(page, action_on(page, r"/involvements/\d+/answer"),
                            data={"note": "Not this time."}, button="decline")
    assert answered.status == 200

    # The invited partner accepts; the lead coordinator schedules.
    page = guest.get(f"/events/{event_id}")
    answered = guest.submit(page, action_on(page, r"/involvements/\d+/answer"),
                            data={"note": "Gladly."}, button="accept")
    assert answered.status == 200
    scheduled = lead.submit(f"/events/{event_id}", f"/events/{event_id}/schedule")
    assert "Scheduled and published" in scheduled.text, scheduled.text[:2000]

    # First resident takes the only seat: confirmed, with the .ics and a cancel link.
    first, first_address = sign_up(site, "first")
    mark = box.mark()
    first.submit(f"/events/{event_id}", f"/events/{event_id}/register")
    confirmed = box.expect(first_address, title, since=mark)
    assert "registered" in confirmed.subject
    assert title in str(confirmed.vevent["SUMMARY"])
    expect_links(confirmed, site)
    first_cancel_link = confirmed.link("/cancel/")

    # Second resident joins the waitlist.
    second_resident, second_address = sign_up(site, "second")
    mark = box.mark()
    second_resident.submit(f"/events/{event_id}", f"/events/{event_id}/register")
    waitlisted = box.expect(second_address, title, since=mark)
    assert "waitlist" in waitlisted.subject
    expect_links(waitlisted, site)

    # The first cancels by the mailed link, without signing in: the second is promoted.
    stranger = site.client()
    page = stranger.get(path_of(first_cancel_link, site))
    mark = box.mark()
    done = stranger.submit(page)
    assert done.status == 200
    promoted = box.expect(second_address, title, since=mark)
    assert "seat" in promoted.subject
    assert title in str(promoted.vevent["SUMMARY"])

    # The first registers again (waitlisted), the second cancels from "My events": promoted.
    mark = box.mark()
    first.submit(f"/events/{event_id}", f"/events/{event_id}/register")
    box.expect(first_address, title, since=mark)
    page = second_resident.get("/my/events")
    mark = box.mark()
    second_resident.submit(page, action_on(page, r"/registrations/\d+/cancel"))
    assert "seat" in box.expect(first_address, title, since=mark).subject

    # The second registers again (waitlisted); the lead raises the capacity: promoted.
    mark = box.mark()
    second_resident.submit(f"/events/{event_id}", f"/events/{event_id}/register")
    assert "waitlist" in box.expect(second_address, title, since=mark).subject
    mark = box.mark()
    saved = lead.submit(f"/events/{event_id}/edit", data={"capacity": "2"})
    assert event_id_of(saved) == event_id
    assert "seat" in box.expect(second_address, title, since=mark).subject

    # The lead moves the event by a day: both are told, with the updated .ics.
    new_day = day + timedelta(days=1)
    mark = box.mark()
    lead.submit(f"/events/{event_id}/edit", data={
        "starts_at": local(new_day, 11), "ends_at": local(new_day, 13)})
    moved = box.expect(first_address, "moved", since=mark)
    box.expect(second_address, "moved", since=mark)
    start = moved.vevent.decoded("DTSTART")
    assert start.astimezone(MOSCOW) == datetime(new_day.year, new_day.month, new_day.day, 11,
                                                tzinfo=MOSCOW)
    assert int(moved.vevent["SEQUENCE"]) > int(confirmed.vevent.get("SEQUENCE", 0))
    expect_links(moved, site)

    # The lead cancels the event: both are told; the .ics says CANCELLED.
    mark = box.mark()
    lead.submit(f"/events/{event_id}", f"/events/{event_id}/cancel",
                data={"reason": "The speaker is ill."})
    cancelled = box.expect(first_address, "cancelled", since=mark)
    box.expect(second_address, "cancelled", since=mark)
    assert str(cancelled.vevent["STATUS"]) == "CANCELLED"

    return {"event_id": event_id, "lead": lead, "resident": first,
            "clients": [lead, guest, first, second_resident, stranger]}
