// Defaults and sanity checks for SandboxOptions, so mistakes fail at start() rather than mid-test.
import { DEFAULT_CHURN } from './churn';
import { DEMO_ACCOUNT, SANDBOX_SUBACCOUNTS } from './accounts';
import { PLIVO_RATE_LIMIT } from '../plivo/limiter';
import type { SandboxAccount, SandboxCallInit, SandboxChurnOptions, SandboxOptions, SandboxRateLimit } from './types';

export interface ResolvedOptions {
  accounts: SandboxAccount[];
  timeScale: number;
  callbackTimeoutMs: number;
  transcriptionDelayMs: number;
  churn?: SandboxChurnOptions;
  initialCalls: SandboxCallInit[];
  rateLimit?: SandboxRateLimit;
}

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const accounts = options.accounts ?? [DEMO_ACCOUNT, ...SANDBOX_SUBACCOUNTS];
  if (accounts.length === 0) throw new RangeError('accounts must hold at least one account');
  if (accounts.some((a) => !a.authId || !a.authToken)) {
    throw new RangeError('every account needs an authId and an authToken');
  }
  if (new Set(accounts.map((a) => a.authId)).size !== accounts.length) {
    throw new RangeError('account authIds must be unique');
  }
  for (const { authId, parentAuthId } of accounts) {
    const parent = accounts.find((a) => a.authId === parentAuthId);
    if (parentAuthId !== undefined && (!parent || parent.parentAuthId !== undefined)) {
      throw new RangeError(`account ${authId}: parentAuthId ${parentAuthId} is not a main account of this sandbox`);
    }
  }

  const timeScale = options.timeScale ?? 1;
  requirePositive('timeScale', timeScale);
  const callbackTimeoutMs = options.callbackTimeoutMs ?? 5000;
  requirePositive('callbackTimeoutMs', callbackTimeoutMs);
  const transcriptionDelayMs = options.transcriptionDelayMs ?? 5000;
  if (!(Number.isFinite(transcriptionDelayMs) && transcriptionDelayMs >= 0)) {
    throw new RangeError(`transcriptionDelayMs must be a non-negative number, got ${transcriptionDelayMs}`);
  }

  return {
    accounts: [...accounts],
    timeScale,
    callbackTimeoutMs,
    transcriptionDelayMs,
    churn: resolveChurn(options.churn),
    initialCalls: resolveCalls(options.liveCalls),
    rateLimit: resolveRateLimit(options.rateLimit),
  };
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
}

function resolveChurn(churn: SandboxOptions['churn']): SandboxChurnOptions | undefined {
  if (!churn) return undefined;
  if (churn === true) return DEFAULT_CHURN;
  const { minSeconds, maxSeconds } = churn;
  if (!(Number.isFinite(minSeconds) && Number.isFinite(maxSeconds) && minSeconds >= 0 && minSeconds <= maxSeconds)) {
    throw new RangeError(`churn needs 0 <= minSeconds <= maxSeconds, got ${minSeconds}..${maxSeconds}`);
  }
  return { minSeconds, maxSeconds };
}

function resolveCalls(liveCalls: SandboxOptions['liveCalls']): SandboxCallInit[] {
  if (Array.isArray(liveCalls)) return liveCalls;
  const count = liveCalls ?? 0;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`liveCalls must be a non-negative integer, got ${count}`);
  }
  return Array.from({ length: count }, () => ({}));
}

function resolveRateLimit(rateLimit: SandboxOptions['rateLimit']): SandboxRateLimit | undefined {
  if (rateLimit === false) return undefined;
  if (rateLimit === undefined) return PLIVO_RATE_LIMIT;
  const { requests, windowMs } = rateLimit;
  if (!(Number.isSafeInteger(requests) && requests >= 1)) {
    throw new RangeError(`rateLimit.requests must be a positive integer, got ${requests}`);
  }
  requirePositive('rateLimit.windowMs', windowMs);
  return { requests, windowMs };
}
