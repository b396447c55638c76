"""The README's "Production" recipe, run as written: migrations, then gunicorn with several
workers on PostgreSQL, rate limits in Redis, mail over SMTP (to a sink the test starts). The
first account is made with `flask create-user`; the admin then adds the partners and their
coordinators through the pages, and every mail-sending action runs as people do it."""

import threading

import psycopg
import pytest
import redis

from tests.smoke.conftest import ADMIN, PG_ADMIN_URL, SITE_URL
from tests.smoke.scenario import PASSWORD, Site, run_every_mail_action

pytestmark = pytest.mark.smoke

PARTNERS = [("Northern Cluster", "Northern", "northern-cluster"),
            ("Southern Technopark", "Southern", "southern-technopark")]


def add_partner(admin, name: str, short_name: str, slug: str) -> str:
    saved = admin.submit("/partners/new", data={
        "name": name, "short_name": short_name, "slug": slug, "color": "#1b7f5b",
        "description": f"{name}, a partner of the memorandum.", "website": ""})
    assert saved.path == f"/partners/{slug}", (saved.url, saved.text[:2000])
    return slug


def add_coordinator(admin, mailbox, email: str, partner_name: str) -> None:
    """The admin adds the account; the coordinator chooses a password through the mailed
    invitation, as a new colleague does."""
    page = admin.get("/accounts")
    form = page.form("/accounts")
    since = mailbox.mark()
    saved = admin.submit(page, "/accounts", data={
        "name": email.split("@")[0].title(), "email": email, "role": "coordinator",
        "partner": form.option_value("partner", partner_name)})
    assert saved.path == "/accounts", saved.text[:2000]
    assert email in saved.text
    invitation = mailbox.expect(email, "invited", since=since)
    link = invitation.link("/invitation/")
    newcomer = admin.__class__(admin.base_url)
    page = newcomer.get(link[link.index("/invitation/"):])
    welcomed = newcomer.submit(page, data={"password": PASSWORD, "confirm": PASSWORD})
    assert 'action="/signout"' in welcomed.text, welcomed.text[:2000]


@pytest.fixture(scope="module")
def site(production, smtp_sink):
    admin = production.client()
    admin.sign_in(*ADMIN)
    for name, short_name, slug in PARTNERS:
        add_partner(admin, name, short_name, slug)
    add_coordinator(admin, smtp_sink, "lead@northern.example.org", PARTNERS[0][0])
    add_coordinator(admin, smtp_sink, "guest@southern.example.org", PARTNERS[1][0])
    return Site(
        base_url=production.base_url, link_base=SITE_URL, mailbox=smtp_sink,
        lead=("lead@northern.example.org", PASSWORD),
        guest=("guest@southern.example.org", PASSWORD),
        guest_partner=PARTNERS[1][0], site_partner=PARTNERS[0][0],
        server_output=production.process.tail,
    )


def test_every_mail_action_answers_and_its_mail_arrives(site):
    run_every_mail_action(site)


def test_rate_limits_are_counted_in_redis(production, site):
    """Sign-in attempts are counted in Redis, shared by every worker."""
    storage = redis.Redis.from_url(production.env["RATELIMIT_STORAGE_URI"])
    tried = production.client().submit("/signin", data={
        "email": "nobody@example.org", "password": "wrong-password"})
    assert tried.status == 401
    assert tried.headers["X-RateLimit-Limit"] == "10"
    assert any(b"signin" in key for key in storage.scan_iter("LIMITS*"))
    storage.close()


def test_double_click_on_create_account_answers_both_alike(production, site):
    """Two submits of one sign-up form, sent at once to different workers: both end signed
    in on their account page, one account exists, nobody sees an error."""
    person = production.client()
    page = person.get("/signup")
    form = page.form()
    address = "double-click@resident.example"
    data = {"name": "Double Click", "email": address, "company": "Twice Ltd",
            "site_partner": form.option_value("site_partner", PARTNERS[0][0]),
            "password": PASSWORD, "confirm": PASSWORD}
    fields = [(k, v) for k, v in form.fields if k not in data] + list(data.items())
    start, answers = threading.Barrier(2), []

    def click():  # the same browser twice: one session cookie, one CSRF token
        start.wait(30)
        answers.append(person.request("POST", "/signup", fields))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [a.status for a in answers] == [200, 200]
    for answer in answers:
        assert answer.path == "/account"
        assert 'action="/signout"' in answer.text
    with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + production.db_name) as conn:
        count = conn.execute("SELECT count(*) FROM users WHERE email = %s", (address,)).fetchone()
    assert count == (1,)


def test_database_down_answers_a_friendly_503(production, site):
    """PostgreSQL refuses our database (as when it restarts): the page says so, in the
    visitor's language, with Retry-After; the site recovers when the database is back."""
    visitor = production.client(language="ru")
    assert visitor.get("/").status == 200
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{production.db_name}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (production.db_name,))
        try:
            for _ in range(4):  # several workers: each must answer alike
                answer = visitor.get("/", allow=(503,))
                assert answer.status == 503
                assert answer.headers["Retry-After"].isdigit()
                assert 'lang="ru"' in answer.text
                assert "базой данных" in answer.text, answer.text
        finally:
            conn.execute(f'ALTER DATABASE "{production.db_name}" ALLOW_CONNECTIONS true')
    assert visitor.get("/").status == 200
