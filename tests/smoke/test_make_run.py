"""`make run` as a newcomer types it: every mail-sending action answers, its mail is printed
with the .ics, links follow the port it serves on, and it ends with where to sign in."""

import os
import re

import pytest

from tests.smoke.scenario import Site, run_every_mail_action

pytestmark = pytest.mark.smoke

DEMO_PASSWORD = "demo-password"
MAIL_BLOCK = re.compile(r"^[^\n]*Mail to [^\n]*\n.*?^\[end of mail\]$", re.MULTILINE | re.DOTALL)
# The worker's own lines: its banner, its log lines, and Huey's list of tasks ("+ name").
WORKER_LINE = re.compile(r"^worker: | (INFO|WARNING|ERROR) (huey|events)[\w.]*: |^\+ [\w.]+$")


@pytest.fixture(scope="module")
def site(make_run, console_mail):
    return Site(
        base_url=make_run.base_url, link_base=make_run.base_url, mailbox=console_mail,
        lead=("coordinator@northern.example", DEMO_PASSWORD),
        guest=("coordinator@technopolis.example", DEMO_PASSWORD),
        guest_partner="Technopolis", site_partner="Technopolis",
        server_output=make_run.process.tail,
    )


def test_every_mail_action_answers_and_prints_its_mail(site):
    run_every_mail_action(site)


def test_links_follow_the_port_it_serves_on(make_run, site):
    person = site.client()
    person.sign_in("maria@genotek.example", DEMO_PASSWORD)
    page = person.get("/subscribe").text
    assert f"{make_run.base_url}/calendar.ics" in page
    assert f"webcal://{make_run.base_url.split('://')[1]}/calendar.ics" in page
    assert "127.0.0.1:5000" not in page
    agenda = person.get("/").text
    event_id = re.search(r'href="/events/(\d+)"', agenda).group(1)
    ics = person.get(f"/events/{event_id}.ics").text
    assert f"URL:{make_run.base_url}/events/{event_id}" in ics.replace("\r\n ", "")


def test_it_ends_with_the_address_and_the_demo_accounts(make_run):
    """What a newcomer reads last before the server's own lines: where to go, who to be."""
    before_serving = make_run.process.output.split(" * Serving Flask app")[0]
    # The worker starts beside the web app and may log, or print a reminder, in between: its
    # lines and the mails it prints are its own.
    before_serving = MAIL_BLOCK.sub("", before_serving)
    own = [line for line in before_serving.splitlines()
           if line.strip() and not WORKER_LINE.search(line)]
    start = max(i for i, line in enumerate(own) if line.strip().startswith("Joint Events: "))
    last_lines = own[start:]
    banner = "\n".join(last_lines)
    assert len(last_lines) <= 12   # the banner and nothing of ours after it
    assert f"Joint Events: {make_run.base_url}" in banner
    assert f"password: {DEMO_PASSWORD}" in banner
    for account in ("admin@joint-events.example", "coordinator@northern.example",
                    "staff@technopolis.example", "maria@genotek.example"):
        assert account in banner
    assert last_lines[-1].strip() == "Stop with Ctrl+C."


def test_the_worker_delivered_the_mail_and_stops_with_make_run(make_run):
    """Mail was printed by the worker (not the web process), and stopping `make run` (what
    Ctrl-C does) stops the worker too. Runs last: it stops the module's server."""
    output = make_run.process.output
    assert re.search(r"^worker: \d+ threads", output, re.MULTILINE)
    pid = int(re.search(r"Huey consumer started with \d+ thread, PID (\d+)", output).group(1))
    assert "Mail to " in output
    # Mail the worker writes itself (reminders, nudges) links where make run serves too.
    if not make_run.base_url.endswith(":5000"):
        assert "127.0.0.1:5000" not in output
    os.kill(pid, 0)                     # running
    make_run.process.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
