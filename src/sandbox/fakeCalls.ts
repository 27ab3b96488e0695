// Plausible simulated calls: what a live call looks like on a real account.
import { randomInt, randomUUID } from 'node:crypto';
import type { SandboxCall, SandboxCallInit } from './types';

const AREA_CODES = ['415', '212', '646', '312', '206', '512', '617', '303'];
const CALLER_NAMES = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Linus Pauling',
  'Mary Jackson',
];

export function createCall(init: SandboxCallInit, authId: string): SandboxCall {
  return {
    callUuid: init.callUuid ?? randomUUID(),
    from: init.from ?? fakePhoneNumber(),
    to: init.to ?? fakePhoneNumber(),
    direction: init.direction ?? (randomInt(2) === 0 ? 'inbound' : 'outbound'),
    callerName: init.callerName ?? CALLER_NAMES[randomInt(CALLER_NAMES.length)],
    requestUuid: randomUUID(),
    sessionStart: new Date(),
    authId,
  };
}

/** North American numbers in the 555-0100..0199 block, reserved for fiction, in Plivo's E.164-without-plus form. */
function fakePhoneNumber(): string {
  const area = AREA_CODES[randomInt(AREA_CODES.length)];
  return `1${area}55501${String(randomInt(100)).padStart(2, '0')}`;
}

/** Plivo's live-call `session_start`: UTC, microseconds, no zone ("2020-04-08 11:34:33.238707"). */
export function formatSessionStart(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}
