import assert from 'node:assert/strict';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any error class, whatever its constructor takes
type ErrorClass<E> = abstract new (...args: any[]) => E;

/**
 * Awaits `promise`, which must reject with an `type` whose `code` is `code`; runs `check` on it and returns it.
 * The failure message names what was expected and what came instead.
 */
export async function rejectsWithCode<E extends Error & { code: string }>(
  promise: Promise<unknown>,
  type: ErrorClass<E>,
  code: string,
  check?: (error: E) => void,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return error;
  }
  assert.fail(`expected a ${code} ${type.name}`);
}
