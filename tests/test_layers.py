"""Imports follow the domain: an area never imports one built on top of it (a registration
belongs to an event, so planning never imports registrations). Read from the source with
`ast`, so the rule holds for imports inside functions too.

Areas from the bottom up (RANK); the modules that put areas together (views, CLI, demo data,
the worker, the app's shell) sit above them all and may import anything. An import from a
lower area up into a higher one fails this test unless it is in ALLOWED, with its reason."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RANK = {
    "core": 0,
    "auth": 1, "partners": 1, "audit": 1, "outbox": 1, "ops": 1,
    "webhooks": 1,  # like the outbox: planning and registrations queue deliveries
    "planning": 2,
    "registrations": 3,
    "calendar": 4, "contributions": 4, "residents": 4,
    "agreements": 5, "publishing": 5,
    "api": 6,
}
# Modules that rank apart from their area.
MODULE_RANK = {
    # The calendar area's low half: the pure iCalendar builder and the .ics attachment made
    # from it; planning (invitations) and registrations (seats) attach it.
    "events.calendar.ical": 1,
    "events.calendar.vtimezone": 1,
    "events.calendar.attachment": 1,
}
# Composition: these put areas together and may import any of them.
COMPOSITION_SUFFIXES = (".views", "_views", "_view", ".cli", ".demo")
COMPOSITION = {
    "events.cli", "events.models", "events.demo", "events.demo_season", "events.ui",
    "events.outbox.worker",  # runs every area's background work
    "events.auth.personal_data",  # a person's data from every area, and its erasure
    "events.audit.display",  # shows each area's audit entries in words
}
# Imports up the layers that stay, each with its reason.
ALLOWED = {
    ("events.auth.permissions", "events.planning.models"):
        "who may see or change an event reads the event's status, audience and partners",
    ("events.auth.models", "events.residents.models"):
        "a resident's company is a column of the person",
    ("events.auth.services", "events.residents.services"):
        "sign-up matches the resident's company by mail domain",
    ("events.contributions.services", "events.agreements.models"):
        "a contribution may name the agreement it counts towards",
    ("events.i18n", "events.auth.forms"):
        "the language switch in every page's header",
    ("events.mail", "events.outbox.services"):
        "queue_mail writes the outbox row",
    ("events.ops.metrics", "events.registrations.models"):
        "/metrics counts registrations",
}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _rank(module: str) -> int:
    for name, rank in MODULE_RANK.items():
        if module == name or module.startswith(name + "."):
            return rank
    parts = module.split(".")
    return RANK.get(parts[1], 0) if len(parts) > 1 else 0


def _is_composition(module: str) -> bool:
    return module in COMPOSITION or module.endswith(COMPOSITION_SUFFIXES)


def _imports(path: Path) -> set[str]:
    """Every events.* module the file imports, outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # `from events.registrations import notify`
                sub = f"{node.module}.{alias.name}"
                found.add(sub if (ROOT / (sub.replace(".", "/") + ".py")).exists()
                          else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("events.")}


def import_graph() -> dict[str, set[str]]:
    """{module: events modules it imports} for every module under events/ (no migrations)."""
    return {_module(path): _imports(path)
            for path in sorted((ROOT / "events").rglob("*.py"))
            if "migrations" not in path.parts}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else "core"


def upward_imports() -> set[tuple[str, str]]:
    """Imports from one area up into a higher one (inside an area, see STYLE.md's order)."""
    return {(source, target)
            for source, targets in import_graph().items() if not _is_composition(source)
            for target in targets
            if _area(target) != _area(source) and _rank(target) > _rank(source)}


def test_layers_no_import_points_up_outside_the_allowed_list():
    assert upward_imports() - set(ALLOWED) == set()


def test_layers_allowed_list_names_only_imports_that_exist():
    assert set(ALLOWED) - upward_imports() == set()


def test_layers_planning_reaches_registrations_only_through_its_hooks():
    graph = import_graph()
    planning = {m for m in graph if m.startswith("events.planning.") and not _is_composition(m)}
    assert planning
    assert not {(m, t) for m in planning for t in graph[m]
                if t.startswith("events.registrations")}


def test_layers_ical_builder_knows_nothing_of_flask():
    for name in ("ical", "vtimezone"):
        tree = ast.parse((ROOT / "events" / "calendar" / f"{name}.py").read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not {m for m in imported if m.split(".")[0].startswith("flask")}, name
