// Timestamps as users' files write them: epoch numbers in s, ms, µs or ns, or ISO-8601 text.
// Text without a zone is UTC (exchanges and backtesters write UTC).

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/;

/**
 * An epoch number in any of s, ms, µs, ns, told apart by magnitude: below 1e11 it is seconds
 * (ms would be before 1973), below 1e14 ms, below 1e17 µs, else ns. Returns ms.
 */
export function epochToMs(value: number): number {
  const a = Math.abs(value);
  if (a < 1e11) return Math.round(value * 1000);
  if (a < 1e14) return Math.round(value);
  if (a < 1e17) return Math.round(value / 1000);
  return Math.round(value / 1e6);
}

/** Parses a timestamp field to ms since the epoch (UTC), or NaN when it is not one. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (NUMERIC.test(s)) return epochToMs(Number(s));
  const m = ISO.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-31 over into March: refuse such dates instead
  if (new Date(ms).getUTCDate() !== day) return NaN;
  if (frac) ms += Math.round(Number(frac.padEnd(3, '0').slice(0, 3) + '.' + frac.slice(3)));
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offset * 60_000;
  }
  return ms;
}

/** ms since the epoch as ISO-8601 UTC text (`2024-01-01T00:00:00.000Z`). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A user's `--from`/`--to` value: ISO date/time or epoch number. */
export function parseTimeOption(text: string, flag: string): number {
  const ms = parseTimestamp(text);
  if (Number.isNaN(ms)) {
    throw new Error(`${flag} '${text}' is not a date (use ISO-8601 such as 2025-01-01 or epoch ms)`);
  }
  return ms;
}
