// "Replay with Edits": a callback's params as an editable JSON document, read back
// into params to re-sign and send. Mistakes are pointed at by line and column.
import type { ReceivedCallback } from './model';
import { outgoingRequestFor, type OutgoingCallback } from './relay';

export type EditedReplay =
  { ok: true; params: Record<string, string> } | { ok: false; message: string; line?: number; column?: number };

/** The document the user edits: the params as a JSON object, one per line. */
export function editableParams(callback: ReceivedCallback): string {
  return `${JSON.stringify(callback.params, null, 2)}\n`;
}

/** 1-based line and column of a character offset. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function failure(text: string, offset: number | undefined, problem: string): EditedReplay {
  if (offset === undefined) return { ok: false, message: problem };
  const { line, column } = positionAt(text, offset);
  return { ok: false, message: `Line ${line}, column ${column}: ${problem}`, line, column };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? 'an object'
      : `the ${typeof value} ${String(value)}`;
}

/** Where `"name":` is written, for pointing at a bad value; undefined if spelled with escapes. */
function keyOffset(text: string, name: string): number | undefined {
  const escaped = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\s*:`).exec(text);
  return match?.index;
}

const SHAPE = 'The parameters must be one JSON object of names to text values, like {"call_uuid": "…"}';

/** Reads the edited document; every problem names where it is and how to fix it. */
export function parseEditedReplay(text: string): EditedReplay {
  if (text.trim() === '') return { ok: false, message: `The document is empty. ${SHAPE}.` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.trimEnd().length;
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ of JSON input$/, '');
    return failure(text, offset, `not valid JSON (${reason}). ${SHAPE}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: `${SHAPE}; found ${describeValue(parsed)}.` };
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') continue;
    const hint =
      typeof value === 'number' || typeof value === 'boolean'
        ? `write it in quotes: "${String(value)}"`
        : value === null
          ? 'use "" for an empty value, or remove the line'
          : 'Plivo sends every parameter as text: put it in quotes, as a JSON string';
    return failure(
      text,
      keyOffset(text, name),
      `"${name}" must be a text value, not ${describeValue(value)}; ${hint}.`,
    );
  }
  return { ok: true, params: parsed as Record<string, string> };
}

/**
 * The request that sends edited params the way the callback came: same method, and a JSON body
 * if it came as JSON (the stored raw body no longer matches the params, so it is never reused).
 */
export function editedRequestFor(
  callback: ReceivedCallback,
  params: Record<string, string>,
): Omit<OutgoingCallback, 'headers'> {
  const { method } = outgoingRequestFor(callback);
  const json = /^application\/([\w.+-]*\+)?json\b/i.test(callback.contentType ?? '');
  return method === 'POST' && json
    ? { method, params, body: JSON.stringify(params), contentType: callback.contentType }
    : { method, params };
}
