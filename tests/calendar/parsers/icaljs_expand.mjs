// Expands one iCalendar file on stdin with Mozilla's ical.js (Thunderbird's parser): every
// instance of every VEVENT — a recurring master's RRULE/RDATE minus EXDATE, its overrides
// (RECURRENCE-ID) applied — as JSON {uid, start, end, status, summary}, start and end as UTC
// instants (or dates for all-day events). The first argument is the path of ical.js.
const ICAL = (await import(process.argv[2])).default;
let text = "";
for await (const chunk of process.stdin) text += chunk;
const root = new ICAL.Component(ICAL.parse(text));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const instant = (time) => time.isDate
  ? { date: time.toString() }
  : { utc: time.toUnixTime() };
const masters = new Map();
const exceptions = [];
for (const component of root.getAllSubcomponents("vevent")) {
  if (component.hasProperty("recurrence-id")) exceptions.push(component);
  else masters.set(component.getFirstPropertyValue("uid"), new ICAL.Event(component));
}
const orphans = [];
for (const component of exceptions) {
  const master = masters.get(component.getFirstPropertyValue("uid"));
  if (master) master.relateException(new ICAL.Event(component));
  else orphans.push(component.getFirstPropertyValue("uid"));
}
const out = [];
const shown = (item, start, end) => out.push({
  uid: item.uid,
  start: instant(start),
  end: instant(end),
  status: item.component.getFirstPropertyValue("status"),
  summary: item.summary,
});
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    shown(event, event.startDate, event.endDate);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(), n = 0; next && n < 5000; next = iterator.next(), n++) {
    const details = event.getOccurrenceDetails(next);
    shown(details.item, details.startDate, details.endDate);
  }
}
process.stdout.write(JSON.stringify({ instances: out, orphans }));
