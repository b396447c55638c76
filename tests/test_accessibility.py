"""axe-core in a real Chromium with every WCAG 2.0/2.1/2.2 A and AA rule, every impact: every
page in the route matrix (tests/phones.py derives it from app.url_map), for each role, in both
languages, at 1280 and 390 px — plus the states only a POST or special data shows: each form
answered with errors, a wrong password, and a month holding cancelled and proposed events with
two events on one day."""

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from events.db import utcnow
from events.enums import EventStatus
from events.extensions import db
from tests.conftest import ARTIFACTS
from tests.factories import make_event
from tests.phones import (
    AXE,
    LANGUAGES,
    STAFF_ROLES,
    WCAG,
    load_demo,
    pages,
    sign_in_wrongly,
)
from tests.test_phones import paths_for, set_language, sign_in

pytestmark = pytest.mark.e2e
WIDTHS = (1280, 390)

# One axe run over the page: every WCAG A/AA rule, violations only, any impact.
RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id,
    impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target)})))"""

# Forms answered with errors: on these pages the largest form is sent blank (text cleared,
# the browser's own checks off), so the server answers with its messages.
BLANK_FORMS = {
    "auth.signup", "auth.forgot_password", "auth.change_password", "auth.accounts",
    "planning.new", "contributions.new", "contributions.new_programme", "partners.new",
    "agreements.new", "agreements.new_rate_card", "calendar.import_events_page",
}
SEND_BLANK = """() => {
  const form = [...document.querySelectorAll('main form[method=post i]')].sort((a, b) =>
      b.querySelectorAll('.field').length - a.querySelectorAll('.field').length)[0];
  form.noValidate = true;
  form.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio])'
      + ':not([type=submit]), textarea').forEach(el => { el.value = ''; });
  form.requestSubmit();
}"""


def wcag(page) -> list[dict]:
    if not Path(AXE).exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make browser`")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG)


# Fingerprints of the page's main content and of the rest (header, footer, <html>, whether
# there is a title), hidden inputs (CSRF tokens) left out.
PARTS = """() => {
  const text = el => (el ? el.outerHTML : '').replace(/<input[^>]*type="hidden"[^>]*>/g, '');
  const main = document.querySelector('main');
  const rest = [document.documentElement.lang, !!document.title.trim(),
                ...[...document.body.children].filter(el => el !== main && !el.contains(main))
                    .map(text), ...(main ? [...main.parentElement.children] : [])
                    .filter(el => el !== main).map(text)].join('|');
  const hash = s => { let h = 2166136261; for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 16777619); } return (h >>> 0).toString(16) + s.length; };
  return [hash(text(main)), hash(rest)];
}"""
RUN_AXE_ON = """([tags, scope]) => axe.run(scope, {runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id,
    impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target)})))"""


def checked(page, where: tuple, seen: dict) -> list[dict]:
    """axe's violations on the page. What axe finds depends only on the page's markup and
    styles, so content already checked at this width in this language (the same page seen by
    another role) is not checked again: axe checks the content and the rest apart, each once
    for each fingerprint, and the page's findings are the two put together."""
    main, rest = page.evaluate(PARTS)
    main_key, rest_key = (*where, "main", main), (*where, "rest", rest)
    if main_key not in seen:
        seen[main_key] = page.evaluate(RUN_AXE_ON, [WCAG, {"include": [["main"]]}])
    if rest_key not in seen:
        seen[rest_key] = page.evaluate(RUN_AXE_ON, [WCAG, {"exclude": [["main"]]}])
    merged = {}
    for v in [*seen[main_key], *seen[rest_key]]:
        if v["id"] in merged:
            merged[v["id"]] = {**v, "nodes": merged[v["id"]]["nodes"] + v["nodes"]}
        else:
            merged[v["id"]] = v
    return list(merged.values())


def violations(page) -> list[str]:
    """Every WCAG 2.x A/AA violation axe-core finds on the page, whatever its impact."""
    return [f"{v['id']} ({v['impact']}): {v['targets']}" for v in wcag(page)]


def month_scene() -> str:
    """A month with a cancelled, a proposed and a scheduled event, two of them on one day."""
    month = (utcnow() + timedelta(days=75)).replace(day=1, hour=9, minute=0, second=0,
                                                     microsecond=0)
    day = month + timedelta(days=11)
    make_event(title="Biotech breakfast", starts_at=day, ends_at=day + timedelta(hours=2))
    make_event(title="Patent clinic for laboratory start-ups", status=EventStatus.CANCELLED,
               starts_at=day + timedelta(hours=4), ends_at=day + timedelta(hours=5))
    make_event(title="Export support round table", status=EventStatus.PROPOSED,
               starts_at=day + timedelta(days=3), ends_at=day + timedelta(days=3, hours=2))
    return f"/calendar?month={month:%Y-%m}"


def scenes(page, base: str, role: str, paths: list[str], found_pages):
    """States only a POST shows: a wrong password, every form it may open sent blank."""
    if role == "visitor":
        sign_in_wrongly(page, base)
        yield "/signin (wrong password)"
    endpoints = {p.path: p.endpoint for p in found_pages}
    for path in paths:
        endpoint = endpoints.get(path)
        if endpoint not in BLANK_FORMS:
            continue
        page.goto(base + path)
        if not page.locator("main form[method=post i] .field").count():
            continue  # the role is refused here (the route matrix's word is broader)
        with page.expect_navigation():
            page.evaluate(SEND_BLANK)
        yield f"{path} (sent blank)"


def views(page, base: str, role: str, paths: list[str], found_pages):
    """Open each page, then each scene; yield what is on screen."""
    for path in paths:
        page.goto(base + path)
        yield path
    yield from scenes(page, base, role, paths, found_pages)


STARTED = [time.monotonic()]


def axe_matrix(app, base: str, browser) -> tuple[dict, int]:
    demo = load_demo()
    month = month_scene()
    db.session.commit()
    found_pages = pages(app, demo)
    roles = {"visitor": None, "resident": demo.resident.email, **STAFF_ROLES}
    found, runs, seen = {}, 0, {}
    for role, email in roles.items():
        state, paths = None, [*paths_for(role, email, found_pages), month]
        for language in LANGUAGES:
            set_language(email, language)
            context = browser.new_context(
                bypass_csp=True, viewport={"width": WIDTHS[0], "height": 900},
                locale={"en": "en-GB", "ru": "ru-RU"}[language], storage_state=state)
            context.set_default_timeout(15_000)
            context.add_init_script(path=str(AXE))
            if email and state is None:
                sign_in(context, base, email)
                state = context.storage_state()
            page = context.new_page()

            for where in views(page, base, role, paths, found_pages):
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    for v in checked(page, (language, width), seen):
                        found.setdefault(v["id"], {})[f"{role} {language} {width} {where}"] = v
                    runs += 1
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            context.close()
            print(f"{role} {language}: {runs} runs, {time.monotonic() - STARTED[0]:.0f}s")
    return found, runs


def summary(found: dict) -> str:
    lines = []
    for rule, where in sorted(found.items(), key=lambda item: -len(item[1])):
        nodes = sum(v["nodes"] for v in where.values())
        impact = Counter(v["impact"] for v in where.values()).most_common(1)[0][0]
        lines.append(f"{rule} ({impact}): {len(where)} page views, {nodes} elements")
        lines += [f"    {key}: {v['targets']}" for key, v in list(where.items())[:5]]
    return "\n".join(lines)


@pytest.mark.browser_matrix
def test_every_page_for_every_role_passes_every_wcag_a_and_aa_rule(demo_server, browser, app):
    started = time.monotonic()
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # the browser keeps CSS between pages
    found, runs = axe_matrix(app, demo_server.url, browser)
    total = sum(len(where) for where in found.values())
    print(f"\n{runs} axe runs in {time.monotonic() - started:.1f}s; {total} violations")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-matrix.txt").write_text(f"{runs} axe runs, {total} violations\n"
                                              + summary(found))
    assert not found, f"{total} violations in {runs} axe runs:\n{summary(found)}"
