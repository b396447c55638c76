// Reads one iCalendar file on stdin with Mozilla's ical.js (Thunderbird's parser) and prints,
// as JSON, every VEVENT's UID with its start and end as UTC instants (or dates for all-day
// events), SEQUENCE, DTSTAMP and SUMMARY. The first argument is the path of ical.js.
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
const out = {
  calname: root.getFirstPropertyValue("x-wr-calname"),
  caldesc: root.getFirstPropertyValue("x-wr-caldesc"),
  method: root.getFirstPropertyValue("method"),
  events: root.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: instant(event.startDate),
      end: instant(event.endDate),
      sequence: event.sequence,
      dtstamp: component.getFirstPropertyValue("dtstamp").toUnixTime(),
      summary: event.summary,
      description: event.description,
      organizer: component.getFirstPropertyValue("organizer"),
    };
  }),
};
process.stdout.write(JSON.stringify(out));
