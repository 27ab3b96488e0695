// Bounds what one stored callback may hold, so a hostile request can neither grow the history file without limit
// nor make JSON.stringify throw (deep nesting overflows its stack) and thereby stop every later save.
import { setField } from '../plivo/bounded';
import type { ReceivedCallback } from './model';

/** Stored body size; larger bodies are cut and `bodyBytes` keeps the original size. */
export const MAX_STORED_BODY_BYTES = 16 * 1024;
/** Nesting kept in headers, params, summary and forward results; deeper parts become a placeholder string. */
const MAX_DEPTH = 16;
/** Characters kept across all strings of an entry besides its body. */
const MAX_OTHER_CHARS = 32 * 1024;
const TOO_DEEP = '[nested too deep]';
const CUT = '…[cut]';

/** `callback` made safe to keep and to stringify: a new top level, sharing whatever needed no cut. */
export function boundedEntry(callback: ReceivedCallback): ReceivedCallback {
  const { body, ...rest } = callback;
  const text = typeof body === 'string' ? body : String(body ?? '');
  const bytes = Buffer.byteLength(text, 'utf8');
  const copy = boundedValue(rest, { left: MAX_OTHER_CHARS }, 0) as Omit<ReceivedCallback, 'body'>;
  if (bytes <= MAX_STORED_BODY_BYTES && copy === rest) return { ...copy, body: text };
  // Once anything is cut, params may no longer be what the request reads as: they are kept as they are.
  const { paramsFromRequest, ...uncut } = copy;
  if (bytes <= MAX_STORED_BODY_BYTES) return { ...uncut, body: text };
  return {
    ...uncut,
    body: cutUtf8(text, MAX_STORED_BODY_BYTES),
    bodyTruncated: true,
    bodyBytes: rest.bodyBytes ?? bytes,
  };
}

/**
 * Whether `callback`, whose JSON is `jsonChars` long, is already within the bounds `boundedEntry` applies: no string
 * in it can be longer than its JSON, and the body's size is checked on its own. Nesting needs no check here: what
 * JSON.stringify could write, the journal reads back (JSON.parse does not recurse), and the listener bounds what
 * it parses (parse.ts).
 */
export function withinBounds(callback: ReceivedCallback, jsonChars: number): boolean {
  return (
    jsonChars <= MAX_OTHER_CHARS &&
    typeof callback.body === 'string' &&
    Buffer.byteLength(callback.body, 'utf8') <= MAX_STORED_BODY_BYTES
  );
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  // stream mode holds back a trailing incomplete sequence instead of emitting U+FFFD.
  return new TextDecoder().decode(Buffer.from(text, 'utf8').subarray(0, maxBytes), { stream: true });
}

/**
 * `value` within the budget and depth: the same value when nothing had to change (most callbacks, so storing one
 * allocates nothing more), else a copy of the changed path with the cuts.
 */
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
    let items: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      if (budget.left <= 0) {
        items ??= value.slice(0, index);
        items.push(CUT);
        break;
      }
      const item: unknown = value[index];
      const kept = boundedValue(item, budget, depth + 1);
      if (kept !== item) items ??= value.slice(0, index);
      items?.push(kept);
    }
    return items ?? value;
  }
  // Only plain data objects are kept as they are; anything else (a class instance, a getter) is copied to data.
  const prototype: unknown = Object.getPrototypeOf(value);
  let copy: Record<string, unknown> | undefined = prototype === Object.prototype || prototype === null ? undefined : {};
  const keys = Object.keys(value);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    if (budget.left <= 0) {
      copy ??= copyKeys(value as Record<string, unknown>, keys, index);
      copy[CUT] = CUT;
      break;
    }
    budget.left -= key.length;
    const item: unknown = (value as Record<string, unknown>)[key];
    const kept = boundedValue(item, budget, depth + 1);
    if (kept !== item) copy ??= copyKeys(value as Record<string, unknown>, keys, index);
    if (copy) setField(copy, key, kept);
  }
  return copy ?? value;
}

/** A plain copy of the first `count` of `keys`. */
function copyKeys(value: Record<string, unknown>, keys: readonly string[], count: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) setField(copy, keys[index], value[keys[index]]);
  return copy;
}
