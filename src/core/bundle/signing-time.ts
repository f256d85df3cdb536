/**
 * SigningTime as the Java client writes it (JAXB `printDateTime`): local date-time in the given
 * zone (default: the process's), milliseconds only when non-zero, and `Z` or `±hh:mm` as the offset.
 */
export function formatSigningTime(instant: Date, timeZone?: string): string {
  const { year, month, day, hour, minute, second, offsetMinutes } =
    timeZone === undefined ? localParts(instant) : zoneParts(instant, timeZone);
  const milliseconds = instant.getUTCMilliseconds();
  const fraction = milliseconds === 0 ? "" : `.${String(milliseconds).padStart(3, "0")}`;
  const two = (value: number) => String(value).padStart(2, "0");
  // Java writes a zero offset as Z.
  const offset =
    offsetMinutes === 0
      ? "Z"
      : `${offsetMinutes < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offsetMinutes) / 60))}:${two(Math.abs(offsetMinutes) % 60)}`;
  return `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction}${offset}`;
}

interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

/** The process's own zone needs no Intl formatter (whose first use costs milliseconds of start-up). */
function localParts(instant: Date): DateTimeParts {
  return {
    year: instant.getFullYear(),
    month: instant.getMonth() + 1,
    day: instant.getDate(),
    hour: instant.getHours(),
    minute: instant.getMinutes(),
    second: instant.getSeconds(),
    offsetMinutes: -instant.getTimezoneOffset(),
  };
}

function zoneParts(instant: Date, timeZone: string): DateTimeParts {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  // longOffset prints "GMT", "GMT+00:00" or "GMT+01:00".
  const offset = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(part("timeZoneName"));
  const offsetMinutes = offset?.[1] ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return {
    year: Number(part("year")),
    month: Number(part("month")),
    day: Number(part("day")),
    hour: Number(part("hour")),
    minute: Number(part("minute")),
    second: Number(part("second")),
    offsetMinutes,
  };
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
