/**
 * SigningTime as the Java client writes it (JAXB `printDateTime`): local date-time in the given
 * zone, milliseconds only when non-zero, and `Z` or `±hh:mm` as the offset.
 */
export function formatSigningTime(instant: Date, timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  const milliseconds = instant.getUTCMilliseconds();
  const fraction = milliseconds === 0 ? "" : `.${String(milliseconds).padStart(3, "0")}`;
  // longOffset prints "GMT", "GMT+00:00" or "GMT+01:00"; Java writes a zero offset as Z.
  const numericOffset = part("timeZoneName").replace(/^GMT/, "");
  const offset = numericOffset === "" || numericOffset === "+00:00" ? "Z" : numericOffset;
  const year = part("year").padStart(4, "0");
  return `${year}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}${fraction}${offset}`;
}

/** Formatters are costly to make, so one per zone is kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
