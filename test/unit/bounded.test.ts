import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeCallback, parseCallbackParams, CallbackParseError } from '../../src/callbacks/parse';
import { boundedClone, jsonDepthExceeds, safeStringify } from '../../src/plivo/bounded';

const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

test('a 5,000-deep async response is kept as cut text with a note, and the summary stringifies', () => {
  const raw = deep(5000);
  const summary = summarizeCallback({ api_id: 'x', response: raw });
  assert.equal(typeof summary.response, 'string');
  assert.ok((summary.response as string).length <= 4097);
  assert.match(summary.responseNote ?? '', /nested deeper than 32 levels/);
  assert.doesNotThrow(() => JSON.stringify(summary));
  assert.equal(summary.apiId, 'x');
});

test('a 100,000-deep async response also stays bounded', () => {
  const summary = summarizeCallback({ response: deep(100_000) });
  assert.doesNotThrow(() => JSON.stringify(summary));
});

test('a shallow JSON response is still parsed into an object', () => {
  const summary = summarizeCallback({ response: '{"api_id":"a1","url":"https://m.example/r.mp3"}' });
  assert.deepEqual(summary.response, { api_id: 'a1', url: 'https://m.example/r.mp3' });
  assert.equal(summary.recordUrl, 'https://m.example/r.mp3');
  assert.equal(summary.responseNote, undefined);
});

test('a deeply nested JSON body is refused with a clear reason', () => {
  const body = Buffer.from(`{"a":${deep(5000)}}`);
  assert.throws(
    () => parseCallbackParams({ method: 'POST', path: '/cb', contentType: 'application/json', body }),
    (error: Error) => error instanceof CallbackParseError && /nested deeper than 32 levels/.test(error.message),
  );
});

test('more than 1000 form fields are refused', () => {
  const body = Buffer.from(Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'));
  assert.throws(
    () => parseCallbackParams({ method: 'POST', path: '/cb', contentType: 'application/x-www-form-urlencoded', body }),
    /1001 fields in form body/,
  );
});

test('boundedClone cuts depth, nodes, strings and cycles; keeps "__proto__" a plain key', () => {
  let nested: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) nested = [nested];
  assert.doesNotThrow(() => JSON.stringify(boundedClone(nested)));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.deepEqual(boundedClone(cyclic), { a: 1, self: '[circular]' });
  const bounds = { maxDepth: 2, maxNodes: 3, maxStringChars: 4 };
  assert.deepEqual(boundedClone({ s: 'abcdefg', d: { e: { f: 1 } } }, bounds), {
    s: 'abcd…',
    d: { e: '[nested deeper than 2 levels]' },
  });
  assert.deepEqual(boundedClone([1, 2, 3, 4, 5], bounds), [1, 2, 3, '[2 more items dropped]']);
  const polluted = boundedClone(JSON.parse('{"__proto__":{"x":1}}')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(polluted), Object.prototype);
  assert.deepEqual(Object.keys(polluted), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('safeStringify never throws: bigint, throwing getter, deep input', () => {
  assert.equal(safeStringify({ n: 10n }), '{"n":"10"}');
  const hostile = {
    get boom(): string {
      throw new Error('getter');
    },
  };
  assert.match(safeStringify(hostile), /not serialisable: getter/);
  assert.doesNotThrow(() => safeStringify(JSON.parse(deep(20_000))));
});

test('jsonDepthExceeds ignores brackets inside strings', () => {
  assert.equal(jsonDepthExceeds('["[[[[[[[["]', 2), false);
  assert.equal(jsonDepthExceeds('[[["\\"[["]]]', 2), true);
});
