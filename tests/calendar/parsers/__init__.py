"""Independent iCalendar parsers (Mozilla's ical.js through node, vobject) reading what the app
serves, so tests compare their instants with the database's UTC values."""

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# $ICALJS names another copy (a checkout that shares its virtualenv with another).
ICALJS = Path(os.environ.get("ICALJS") or
              ROOT / ".venv" / "icaljs" / "node_modules" / "ical.js" / "dist" / "ical.js")
SCRIPT = Path(__file__).with_name("icaljs_read.mjs")
EXPAND_SCRIPT = Path(__file__).with_name("icaljs_expand.mjs")


def icaljs_available() -> bool:
    return ICALJS.exists() and shutil.which("node") is not None


def read_with_icaljs(data: bytes) -> dict:
    """{calname, caldesc, method, events: [{uid, start, end, sequence, dtstamp, ...}]} where
    start/end are aware UTC datetimes, or dates for all-day events."""
    if not icaljs_available():
        raise RuntimeError("ical.js is missing: `make browser` installs it (npm ical.js)")
    done = subprocess.run(  # noqa: S603 — our own script, node from PATH
        ["node", str(SCRIPT), ICALJS.as_uri()],  # noqa: S607
        input=data, capture_output=True, check=True, timeout=60)
    result = json.loads(done.stdout)
    for event in result["events"]:
        for name in ("start", "end"):
            value = event[name]
            event[name] = (date.fromisoformat(value["date"]) if "date" in value
                           else datetime.fromtimestamp(value["utc"], UTC))
        event["dtstamp"] = datetime.fromtimestamp(event["dtstamp"], UTC)
    return result


def _instant(value: dict):
    return (date.fromisoformat(value["date"]) if "date" in value
            else datetime.fromtimestamp(value["utc"], UTC))


def expand_with_icaljs(data: bytes) -> list[dict]:
    """Every instance ical.js makes of the file's VEVENTs (recurring masters expanded,
    overrides applied, EXDATEs left out): [{uid, start, end, status, summary}], start and end
    aware UTC datetimes (or dates). An override whose master is missing is an error."""
    if not icaljs_available():
        raise RuntimeError("ical.js is missing: `make browser` installs it (npm ical.js)")
    done = subprocess.run(  # noqa: S603 — our own script, node from PATH
        ["node", str(EXPAND_SCRIPT), ICALJS.as_uri()],  # noqa: S607
        input=data, capture_output=True, check=True, timeout=60)
    result = json.loads(done.stdout)
    if result["orphans"]:
        raise AssertionError(f"overrides without a master: {result['orphans']}")
    return [dict(item, start=_instant(item["start"]), end=_instant(item["end"]))
            for item in result["instances"]]


def read_with_vobject(data: bytes) -> dict:
    """The same as read_with_icaljs, read by vobject (dateutil's VTIMEZONE rules)."""
    import vobject
    import vobject.icalendar

    # vobject keeps every VTIMEZONE it has read in a process-wide map by TZID: a file read
    # earlier would decide this one's offsets. Each file is read on its own here.
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(data.decode("utf-8"))

    def value(item):
        v = item.value
        return v.astimezone(UTC) if isinstance(v, datetime) else v

    events = []
    for component in getattr(calendar, "vevent_list", []):
        events.append({
            "uid": component.uid.value,
            "start": value(component.dtstart),
            "end": value(component.dtend),
            "sequence": int(component.sequence.value) if hasattr(component, "sequence")
            else 0,
            "dtstamp": component.dtstamp.value.astimezone(UTC),
            "summary": component.summary.value,
            "description": getattr(getattr(component, "description", None), "value", None),
        })
    calname = getattr(calendar, "x_wr_calname", None)
    caldesc = getattr(calendar, "x_wr_caldesc", None)
    return {"calname": calname.value if calname else None,
            "caldesc": caldesc.value if caldesc else None, "events": events}
