// How Plivo's values read in the editor. Pure text, no VS Code API.
import type { LiveCall } from './types';

/** `mm:ss` (or `h:mm:ss`) since the call's session started; Plivo sends that time in UTC without a zone. */
export function callDuration(call: Pick<LiveCall, 'sessionStart'>, now = Date.now()): string | undefined {
  if (!call.sessionStart) return undefined;
  const started = Date.parse(`${call.sessionStart.replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1')}Z`);
  if (Number.isNaN(started)) return undefined;
  const total = Math.max(0, Math.floor((now - started) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** ITU country codes of one and two digits; every other code has three (the set is prefix-free). */
const SHORT_COUNTRY_CODES = new Set(
  (
    '1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
    '60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'
  ).split(' '),
);

/**
 * A phone number as people read it: `+1 212 555 0143` for North American numbers, `+44 207 946 0958`-style groups
 * after the country code for others (a readable grouping, not each country's national format). Plivo sends E.164 without the `+` (`12125550143`); anything that is not a
 * plausible E.164 number (SIP URIs, short codes, names) is returned as it came, and an empty one as `unknown`.
 */
export function formatPhoneNumber(raw: string | undefined): string {
  const text = raw?.trim() ?? '';
  if (!text) return 'unknown';
  const digits = /^\+?(\d{8,15})$/.exec(text)?.[1];
  if (!digits || digits.startsWith('0')) return text;
  if (/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) {
    return `+1 ${digits.slice(1, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`;
  }
  if (digits.startsWith('1')) return text; // +1, but not a valid North American number
  const codeLength = SHORT_COUNTRY_CODES.has(digits[0]) ? 1 : SHORT_COUNTRY_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  return `+${digits.slice(0, codeLength)} ${groupDigits(digits.slice(codeLength))}`;
}

/** The last four digits, then threes towards the front, a lone leading digit joining the next group. */
function groupDigits(digits: string): string {
  if (digits.length <= 4) return digits;
  const groups = [digits.slice(-4)];
  let end = digits.length - 4;
  while (end > 0) {
    const start = end === 4 ? 0 : Math.max(0, end - 3);
    groups.unshift(digits.slice(start, end));
    end = start;
  }
  return groups.join(' ');
}

/**
 * `+1 415 555 0100 → +1 212 555 0143`: a call named by its numbers, for messages. Notifications render markdown links
 * and a caller ID that is not a number is chosen by the caller, so brackets and control characters are replaced.
 */
export function callNumbers(call: { from?: string; to?: string }): string {
  const text = `${formatPhoneNumber(call.from)} → ${formatPhoneNumber(call.to)}`;
  return (
    text
      .replace(/\[/g, '(')
      .replace(/\]/g, ')')
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  );
}

/** `200 of 5,000 live calls` while only part is shown (`200 of 200+` before the rest is counted), else `3 live calls`. */
export function liveCallCount(shown: number, total: number, complete: boolean): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const all = Math.max(shown, total);
  if (complete) return `${count(shown)} live call${shown === 1 ? '' : 's'}`;
  // Not counted yet (the count runs every few refreshes): more exist than shown, how many is not known.
  return `${count(shown)} of ${all > shown ? count(all) : `${count(shown)}+`} live calls`;
}
