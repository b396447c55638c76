"""The agenda widget: what it lists, its colours and language, who may frame it (and that no
other page may be framed), the origins an admin lists, and the snippet on the partner page."""

from datetime import timedelta

import pytest

from events.db import utcnow
from events.enums import Audience, Category, EventStatus, Role
from events.errors import ValidationFailed
from events.extensions import db
from events.partners.origins import clean_origins, normalise_origin
from events.partners.services import update_partner
from events.security import CSP
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_partner, make_user
from tests.publishing.conftest import html_of


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if "frame-ancestors" in p)


@pytest.fixture
def partner(app):
    partner = make_partner(name="Technopolis Moscow", short_name="Technopolis",
                           embed_origins="https://www.technopolis.example\n"
                                         "http://127.0.0.1:8001")
    db.session.commit()
    return partner


def test_widget_lists_the_partners_upcoming_public_events(client, partner):
    now = utcnow()
    shown = make_event(lead=partner, title="Open day", starts_at=now + timedelta(days=1),
                       ends_at=now + timedelta(days=1, hours=1))
    supported = make_event(title="Supported seminar")
    make_involvement(supported, partner)
    make_event(lead=partner, title="Closed residents circle", audience=Audience.RESIDENTS)
    make_event(lead=partner, title="Unfinished draft", status=EventStatus.DRAFT)
    make_event(title="Someone else's event")
    db.session.commit()
    response = client.get(f"/embed/partners/{partner.slug}")
    assert response.status_code == 200
    tree = html_of(response)
    titles = [a.text for a in tree.xpath("//li//h2/a")]
    assert titles == ["Open day", "Supported seminar"]
    for link in tree.xpath("//a"):
        assert link.get("target") == "_blank"
        assert link.get("rel") == "noopener"
    assert tree.xpath("//li//h2/a/@href")[0] == f"http://localhost/events/{shown.id}"
    assert tree.xpath("//body/@class") == [f"embed embed-{partner.slug}"]
    assert not tree.xpath("//script")
    assert "Set-Cookie" not in response.headers


def test_widget_narrows_to_a_category(client, partner):
    make_event(lead=partner, title="Hands-on lab", category=Category.WORKSHOP)
    make_event(lead=partner, title="Lecture")
    db.session.commit()
    tree = html_of(client.get(f"/embed/partners/{partner.slug}?category=workshop"))
    assert [a.text for a in tree.xpath("//li//h2/a")] == ["Hands-on lab"]
    assert client.get(f"/embed/partners/{partner.slug}?category=nope").status_code == 404


def test_widget_speaks_the_language_asked_for(client, partner):
    make_event(lead=partner, status=EventStatus.CANCELLED, title="Called off")
    db.session.commit()
    tree = html_of(client.get(f"/embed/partners/{partner.slug}?lang=ru",
                              headers={"Accept-Language": "en"}))
    assert tree.get("lang") == "ru"
    assert tree.xpath("//h1")[0].text == "Мероприятия с участием: Technopolis"
    assert tree.xpath("//p[@class='embed-cancelled']")[0].text == "Отменено"
    english = html_of(client.get(f"/embed/partners/{partner.slug}",
                                 headers={"Accept-Language": "en"}))
    assert english.get("lang") == "en"


def test_widget_may_be_framed_only_by_the_listed_origins(client, partner):
    response = client.get(f"/embed/partners/{partner.slug}")
    assert frame_ancestors(response) == (
        "frame-ancestors http://127.0.0.1:8001 https://www.technopolis.example")
    assert "X-Frame-Options" not in response.headers
    rest = response.headers["Content-Security-Policy"].replace(frame_ancestors(response), "")
    assert rest == CSP.replace("frame-ancestors 'none'", "")


def test_widget_of_a_partner_listing_nobody_is_not_framed(client, app):
    partner = make_partner()
    db.session.commit()
    response = client.get(f"/embed/partners/{partner.slug}")
    assert response.status_code == 200
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/events.atom", "/partners/", "/calendar"])
def test_other_pages_keep_frame_ancestors_none(client, partner, path):
    response = client.get(path)
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_programme_widget_is_framed_by_its_partners_websites(client, partner,
                                                             make_programme):
    other = make_partner(embed_origins="https://northern.example")
    make_partner(embed_origins="https://not-in-the-programme.example")
    programme = make_programme(partner, other, title="Spring school")
    inside = make_event(lead=partner, title="In the programme", programme=programme)
    make_event(lead=partner, title="Outside it")
    db.session.commit()
    response = client.get(f"/embed/programmes/{programme.id}")
    tree = html_of(response)
    assert [a.text for a in tree.xpath("//li//h2/a")] == [inside.title]
    assert tree.xpath("//h1")[0].text == "Spring school"
    assert frame_ancestors(response) == ("frame-ancestors http://127.0.0.1:8001 "
                                         "https://northern.example "
                                         "https://www.technopolis.example")
    themed = html_of(client.get(f"/embed/programmes/{programme.id}?partner={other.slug}"))
    assert themed.xpath("//body/@class") == [f"embed embed-{other.slug}"]
    assert client.get(f"/embed/programmes/{programme.id}?partner=nobody").status_code == 404
    assert client.get("/embed/programmes/999999").status_code == 404


def test_category_widget_for_everyone_or_one_partner(client, partner):
    other = make_partner(embed_origins="https://northern.example")
    make_event(lead=partner, title="Technopolis lab", category=Category.WORKSHOP)
    make_event(lead=other, title="Northern lab", category=Category.WORKSHOP)
    make_event(lead=other, title="Northern talk")
    db.session.commit()
    response = client.get("/embed/categories/workshop")
    assert [a.text for a in html_of(response).xpath("//li//h2/a")] == [
        "Technopolis lab", "Northern lab"]
    assert "https://northern.example" in frame_ancestors(response)
    assert "https://www.technopolis.example" in frame_ancestors(response)
    one = client.get(f"/embed/categories/workshop?partner={other.slug}")
    assert [a.text for a in html_of(one).xpath("//li//h2/a")] == ["Northern lab"]
    assert frame_ancestors(one) == "frame-ancestors https://northern.example"
    assert client.get("/embed/categories/juggling").status_code == 404


def test_colours_stylesheet_gives_each_partner_readable_colours(client, app):
    make_partner(slug="dark", color="#123456", embed_background="#1b1b1b", embed_accent="")
    make_partner(slug="light", color="#f5d90a", embed_background="#ffffff",
                 embed_accent="#0b5394")
    db.session.commit()
    css = client.get("/embed/colours.css").get_data(as_text=True)
    # On a dark background the text turns white, and the dark brand colour (unreadable as a
    # link there) gives way to the text colour.
    assert (".embed-dark{--embed-bg:#1b1b1b;--embed-text:#ffffff;--embed-link:#ffffff;"
            "--embed-band:#123456;--embed-band-text:#ffffff}") in css
    assert (".embed-light{--embed-bg:#ffffff;--embed-text:#000000;--embed-link:#0b5394;"
            "--embed-band:#f5d90a;--embed-band-text:#000000}") in css


@pytest.mark.parametrize(("typed", "stored"), [
    ("https://Example.ORG", "https://example.org"),
    ("https://example.org/", "https://example.org"),
    ("https://example.org:443", "https://example.org"),
    ("https://events.example.org:8443", "https://events.example.org:8443"),
    ("http://localhost:5000", "http://localhost:5000"),
    ("http://127.0.0.1", "http://127.0.0.1"),
])
def test_origin_is_written_as_browsers_compare_it(typed, stored):
    assert normalise_origin(typed) == stored


@pytest.mark.parametrize("typed", [
    "http://example.org", "example.org", "ftp://example.org", "https://*.example.org",
    "https://example.org/page", "https://user@example.org", "https://example.org?x=1",
    "https://exa mple.org", "javascript:alert(1)", "https://example.org:99999",
    "'self'", "https://", "https://bad_host.example", "data:text/html,x", "*",
])
def test_origin_that_is_not_a_website_is_refused(typed):
    with pytest.raises(ValidationFailed):
        normalise_origin(typed)


def test_origin_list_is_deduplicated_and_bounded():
    assert clean_origins("https://a.example, https://A.example/\n\nhttps://b.example") == \
        "https://a.example\nhttps://b.example"
    with pytest.raises(ValidationFailed):
        clean_origins(" ".join(f"https://h{i}.example" for i in range(21)))


def _form(partner, **changes) -> dict:
    return {"name": partner.name, "short_name": partner.short_name, "slug": partner.slug,
            "color": partner.color, "description": "", "website": "", "name_ru": "",
            "short_name_ru": "", "embed_origins": "", "embed_background": "#ffffff",
            "embed_accent": ""} | changes


def test_admin_lists_origins_and_colours_on_the_partner_edit_page(client, partner):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin)
    page = html_of(client.get(f"/partners/{partner.slug}/edit"))
    assert page.xpath("//textarea[@name='embed_origins']")[0].text.strip().splitlines() == [
        "https://www.technopolis.example", "http://127.0.0.1:8001"]
    response = client.post(f"/partners/{partner.slug}/edit", data=_form(
        partner, embed_origins="https://Site.example\nhttps://site.example/",
        embed_background="#fafafa", embed_accent="#0B5394"))
    assert response.status_code == 302
    db.session.refresh(partner)
    assert partner.embed_origins == "https://site.example"
    assert (partner.embed_background, partner.embed_accent) == ("#fafafa", "#0b5394")
    assert frame_ancestors(client.get(f"/embed/partners/{partner.slug}")) == \
        "frame-ancestors https://site.example"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"embed_origins": "http://example.org"}, "embed_origins", "is not a website origin"),
    ({"embed_background": "#12345"}, "embed_background", "Use a colour like"),
    ({"embed_background": "white"}, "embed_background", "Use a colour like"),
    ({"embed_accent": "#eeeeee"}, "embed_accent", "hard to read"),
])
def test_admin_gets_a_message_beside_a_bad_widget_setting(client, partner, changes, field,
                                                          message):
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    response = client.post(f"/partners/{partner.slug}/edit", data=_form(partner, **changes))
    assert response.status_code == 422
    errors = html_of(response).xpath(f"//p[@id='{field}-error-1']")
    assert message in errors[0].text_content()
    db.session.refresh(partner)
    assert partner.embed_origins.startswith("https://www.technopolis.example")


def test_origin_change_is_audited(app, partner):
    from events.audit.models import AuditEntry

    update_partner(make_user(Role.ADMIN), partner, slug=partner.slug, name=partner.name,
                   short_name=partner.short_name, color=partner.color,
                   embed_origins="https://new.example")
    entry = db.session.query(AuditEntry).filter_by(action="partner.update").one()
    assert entry.changes["embed_origins"][1] == "https://new.example"


@pytest.mark.parametrize(("role", "shown"), [
    (None, False), (Role.RESIDENT, False), ("other staff", False), (Role.STAFF, True),
    (Role.COORDINATOR, True), (Role.ADMIN, True)])
def test_snippet_is_shown_to_the_partners_staff_and_admins(client, partner, role, shown):
    if role == "other staff":
        login(client, make_user(Role.STAFF))
    elif role is not None:
        staff = role in (Role.STAFF, Role.COORDINATOR)
        login(client, make_user(role, partner=partner if staff else None))
    db.session.commit()
    tree = html_of(client.get(f"/partners/{partner.slug}"))
    code = tree.xpath("//textarea[@id='embed-snippet-code']")
    assert bool(code) == shown
    if shown:
        snippet = code[0].text
        iframe = html_of_fragment(snippet)
        assert iframe.tag == "iframe"
        assert iframe.get("src") == f"http://localhost/embed/partners/{partner.slug}"
        assert iframe.get("title") == "Events with Technopolis"


def html_of_fragment(text: str):
    import lxml.html

    return lxml.html.fragment_fromstring(text)


def test_programme_page_offers_the_programme_widget(client, partner, make_programme):
    other = make_partner(embed_origins="https://northern.example")
    programme = make_programme(partner, other, title="Spring school")
    login(client, make_user(Role.STAFF, partner=partner))
    db.session.commit()
    tree = html_of(client.get(f"/programmes/{programme.id}"))
    iframe = html_of_fragment(tree.xpath("//textarea[@id='embed-snippet-code']")[0].text)
    assert iframe.get("src") == f"http://localhost/embed/programmes/{programme.id}"
    assert iframe.get("title") == "Spring school"
    assert tree.xpath("//section[contains(@class, 'embed-snippet')]//code/text()") == [
        "http://127.0.0.1:8001", "https://northern.example", "https://www.technopolis.example"]
