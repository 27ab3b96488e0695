// Bounds what one stored callback may hold, so a hostile request can neither grow the history file without limit
// nor make JSON.stringify throw (deep nesting overflows its stack) and thereby stop every later save.
import type { ReceivedCallback } from './model';

/** Stored body size; larger bodies are cut and `bodyBytes` keeps the original size. */
export const MAX_STORED_BODY_BYTES = 16 * 1024;
/** Nesting kept in headers, params, summary and forward results; deeper parts become a placeholder string. */
const MAX_DEPTH = 16;
/** Characters kept across all strings of an entry besides its body. */
const MAX_OTHER_CHARS = 32 * 1024;
const TOO_DEEP = '[nested too deep]';
const CUT = '…[cut]';

/** A copy of `callback` that is safe to keep and to stringify; unchanged fields compare deep-equal. */
export function boundedEntry(callback: ReceivedCallback): ReceivedCallback {
  const { body, ...rest } = callback;
  const text = typeof body === 'string' ? body : String(body ?? '');
  const bytes = Buffer.byteLength(text, 'utf8');
  const copy = boundedValue(rest, { left: MAX_OTHER_CHARS }, 0) as Omit<ReceivedCallback, 'body'>;
  if (bytes <= MAX_STORED_BODY_BYTES) return { ...copy, body: text };
  return {
    ...copy,
    body: cutUtf8(text, MAX_STORED_BODY_BYTES),
    bodyTruncated: true,
    bodyBytes: rest.bodyBytes ?? bytes,
  };
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  // stream mode holds back a trailing incomplete sequence instead of emitting U+FFFD.
  return new TextDecoder().decode(Buffer.from(text, 'utf8').subarray(0, maxBytes), { stream: true });
}

function boundedValue(value: unknown, budget: { left: number }, depth: number): unknown {
  if (typeof value === 'string') {
    if (value.length <= budget.left) {
      budget.left -= value.length;
      return value;
    }
    const kept = value.slice(0, Math.max(0, budget.left));
    budget.left = 0;
    return kept + CUT;
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' || typeof value === 'boolean' || value === undefined ? value : String(value);
  }
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      if (budget.left <= 0) {
        items.push(CUT);
        break;
      }
      items.push(boundedValue(item, budget, depth + 1));
    }
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (budget.left <= 0) {
      copy[CUT] = CUT;
      break;
    }
    budget.left -= key.length;
    const item = boundedValue((value as Record<string, unknown>)[key], budget, depth + 1);
    // A `__proto__` key must stay data instead of changing the prototype.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else copy[key] = item;
  }
  return copy;
}
