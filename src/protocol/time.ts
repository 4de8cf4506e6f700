/**
 * Timestamps as Faktory writes them: RFC 3339 in UTC with a `Z`, fractional seconds with
 * trailing zeros trimmed (Go's `RFC3339Nano`), e.g. `2026-11-28T09:42:00.229546Z`. We write and
 * keep microseconds (the reference writes nanoseconds) and parse up to nine fraction digits.
 * @module
 */

/** The whole-second prefix last formatted (`2026-11-28T09:42:00`): a burst shares its second. */
const lastSecond = { sec: Number.NaN, prefix: "" };

/**
 * Formats epoch milliseconds as an RFC 3339 UTC timestamp with microsecond precision (the
 * fraction of `ms` below a microsecond is rounded; exact for years 1692 to 2248, where a double
 * holds epoch milliseconds to better than a microsecond), trimming trailing zeros of the fraction:
 * `2026-11-28T09:42:00.021581Z`, `…00.22Z`, `…00Z`.
 */
export function formatTimestamp(ms: number): string {
  if (ms === lastFormatted.ms) return lastFormatted.text; // e.g. created_at and enqueued_at of a push
  const text = format(ms);
  lastFormatted.ms = ms;
  lastFormatted.text = text;
  return text;
}

/** The last timestamp formatted. */
const lastFormatted = { ms: Number.NaN, text: "" };

function format(ms: number): string {
  // Seconds first: epoch microseconds pass 2^53 for dates far from 1970.
  let sec = Math.floor(ms / 1000);
  let fraction = Math.round((ms - sec * 1000) * 1000);
  if (fraction === 1_000_000) {
    sec++;
    fraction = 0;
  }
  if (sec !== lastSecond.sec) {
    lastSecond.sec = sec;
    lastSecond.prefix = new Date(sec * 1000).toISOString().slice(0, -5); // drop ".000Z"
  }
  if (fraction === 0) return `${lastSecond.prefix}Z`;
  let digits = String(fraction).padStart(6, "0");
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (end < digits.length) digits = digits.slice(0, end);
  return `${lastSecond.prefix}.${digits}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (any offset, up to nanosecond precision) to epoch milliseconds,
 * kept to the microsecond (digits below it are truncated, so `.021581522` gives 21.581 ms).
 * Returns `undefined` for anything else, including out-of-range fields.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  // setUTCFullYear, not Date.UTC, which maps years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCDate() !== day) return undefined; // e.g. February 30th
  let ms = date.getTime();
  if (frac !== undefined) ms += Number(frac.slice(1, 7).padEnd(6, "0")) / 1000;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return ms;
}

/** The error Faktory gives for a timestamp it cannot parse (after `invalid timestamp for 'at': `). */
export function timestampParseError(text: string): string {
  return `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 timestamp`;
}
