/**
 * Timestamps as Faktory writes them: RFC 3339 in UTC with a `Z`, fractional seconds with
 * trailing zeros trimmed (Go's `RFC3339Nano`), e.g. `2026-11-28T09:42:00.229Z`.
 * @module
 */

/** The last timestamp formatted (formatting is on the push path; a burst shares its millisecond). */
const lastFormatted = { ms: Number.NaN, text: "" };

/** Formats epoch milliseconds as an RFC 3339 UTC timestamp, trimming trailing zeros of the fraction. */
export function formatTimestamp(ms: number): string {
  if (ms === lastFormatted.ms) return lastFormatted.text;
  const iso = new Date(ms).toISOString(); // 2026-11-28T09:42:00.220Z
  let text = iso;
  if (iso.endsWith(".000Z")) text = `${iso.slice(0, -5)}Z`;
  else if (iso.endsWith("00Z")) text = `${iso.slice(0, -3)}Z`;
  else if (iso.endsWith("0Z")) text = `${iso.slice(0, -2)}Z`;
  lastFormatted.ms = ms;
  lastFormatted.text = text;
  return text;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (any offset, up to nanosecond precision) to epoch milliseconds.
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
  if (frac !== undefined) ms += Math.floor(Number(`0${frac}`) * 1000);
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
