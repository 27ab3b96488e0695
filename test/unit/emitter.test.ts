import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Emitter } from '../../src/common/emitter';

describe('Emitter', () => {
  test('tells every listener in order; a disposed subscription hears nothing more', () => {
    const emitter = new Emitter<number>();
    const heard: string[] = [];
    const first = emitter.event((n) => heard.push(`a${n}`));
    emitter.event((n) => heard.push(`b${n}`));
    emitter.fire(1);
    first.dispose();
    emitter.fire(2);
    assert.deepEqual(heard, ['a1', 'b1', 'b2']);
  });

  test('a listener that throws stops neither the others nor the code that fired', () => {
    const emitter = new Emitter<void>();
    let told = 0;
    emitter.event(() => {
      throw new Error('faulty view');
    });
    emitter.event(() => told++);
    assert.doesNotThrow(() => emitter.fire());
    assert.equal(told, 1);
  });

  test('says whether anyone listens; dispose forgets the listeners, and the emitter can be subscribed to again', () => {
    const emitter = new Emitter<void>();
    assert.equal(emitter.hasListeners, false);
    let told = 0;
    emitter.event(() => told++);
    assert.equal(emitter.hasListeners, true);
    emitter.dispose();
    emitter.fire();
    assert.equal(told, 0);
    assert.equal(emitter.hasListeners, false);
    emitter.event(() => told++);
    emitter.fire();
    assert.equal(told, 1);
  });
});
