// The Callbacks view's model: callbacks grouped by the call they belong to, and
// a filter by kind, call, signature state and free text.
import type { SignatureCheck } from '../plivo/signature';
import type { CallbackKind, ReceivedCallback } from './model';

export interface CallGroup {
  /** Undefined for the "Other" group: callbacks that cannot be tied to a call. */
  callUuid?: string;
  /** Oldest first, so a call reads as it happened: async response, record done, transcription. */
  entries: ReceivedCallback[];
  /** The latest of each kind in the group. */
  async?: ReceivedCallback;
  record?: ReceivedCallback;
  transcription?: ReceivedCallback;
  /** receivedAt of the newest entry. */
  latestAt: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Identifiers that tie an entry to a call: its own call UUID, or its API request and recording IDs. */
function links(entry: ReceivedCallback): { apiId?: string; recordingId?: string } {
  const response = (entry.summary.response ?? {}) as Record<string, unknown>;
  return {
    apiId: entry.summary.apiId ?? text(response.api_id),
    recordingId: entry.summary.recordingId ?? text(response.recording_id),
  };
}

/**
 * A function giving each entry's call UUID. An async response carries no call UUID, only the API request
 * and recording IDs, which the later "record done" callback of the same call also carries.
 */
export function callUuidResolver(
  entries: readonly ReceivedCallback[],
): (entry: ReceivedCallback) => string | undefined {
  const resolve = linkedCallUuid(entries.map(callLinks));
  return (entry) => resolve(callLinks(entry));
}

/** What ties a callback to a call: its own call UUID, or the IDs a "record done" callback of the call also carries. */
interface CallLinks {
  callUuid?: string;
  apiId?: string;
  recordingId?: string;
}

function callLinks(entry: ReceivedCallback): CallLinks {
  return { callUuid: entry.summary.callUuid, ...links(entry) };
}

function linkedCallUuid(all: readonly CallLinks[]): (links: CallLinks) => string | undefined {
  const byApiId = new Map<string, string>();
  const byRecordingId = new Map<string, string>();
  for (const { callUuid, apiId, recordingId } of all) {
    if (!callUuid) continue;
    if (apiId) byApiId.set(apiId, callUuid);
    if (recordingId) byRecordingId.set(recordingId, callUuid);
  }
  return ({ callUuid, apiId, recordingId }) =>
    callUuid || (apiId && byApiId.get(apiId)) || (recordingId && byRecordingId.get(recordingId)) || undefined;
}

const byTime = (a: ReceivedCallback, b: ReceivedCallback): number => a.receivedAt.localeCompare(b.receivedAt);

/** Groups by call, newest call first; the "Other" group (no call UUID) comes last. */
export function groupByCall(entries: readonly ReceivedCallback[]): CallGroup[] {
  const callUuidOf = callUuidResolver(entries);
  const groups = new Map<string | undefined, ReceivedCallback[]>();
  for (const entry of entries) {
    const key = callUuidOf(entry);
    const members = groups.get(key);
    if (members) members.push(entry);
    else groups.set(key, [entry]);
  }
  const result = [...groups].map(([callUuid, members]): CallGroup => {
    const sorted = [...members].sort(byTime);
    const latest = (kind: CallbackKind): ReceivedCallback | undefined =>
      [...sorted].reverse().find((e) => e.kind === kind);
    return {
      ...(callUuid === undefined ? {} : { callUuid }),
      entries: sorted,
      ...Object.fromEntries(
        (['async', 'record', 'transcription'] as const).flatMap((kind) => {
          const entry = latest(kind);
          return entry ? [[kind, entry]] : [];
        }),
      ),
      latestAt: sorted[sorted.length - 1].receivedAt,
    };
  });
  return result.sort((a, b) =>
    a.callUuid === undefined ? 1 : b.callUuid === undefined ? -1 : b.latestAt.localeCompare(a.latestAt),
  );
}

export interface CallbackFilter {
  kinds?: CallbackKind[];
  /** Matches the start of the call UUID, case-insensitively (async responses through their linked call). */
  callUuid?: string;
  signature?: SignatureCheck['state'][];
  /** Words that must all appear in the method, path, params, error or forward target. */
  text?: string;
}

function haystack(entry: ReceivedCallback): string {
  return [entry.method, entry.path, entry.error, entry.forward?.targetUrl, ...Object.entries(entry.params).flat()]
    .filter((part): part is string => part !== undefined)
    .join('\n')
    .toLowerCase();
}

/** What the filter reads of one callback: a few strings, much less to keep than the decoded callback. */
export interface FilterFacts extends CallLinks {
  kind: CallbackKind;
  signature: SignatureCheck['state'];
  /** Lower-cased method, path, error, forward target and params, one per line. */
  text: string;
}

export function filterFacts(entry: ReceivedCallback): FilterFacts {
  return { ...callLinks(entry), kind: entry.kind, signature: entry.signature.state, text: haystack(entry) };
}

/** The items whose facts match `filter`, in their order; an item without facts (gone meanwhile) matches nothing. */
export function filterByFacts<T>(
  items: readonly T[],
  factsOf: (item: T) => FilterFacts | undefined,
  filter: CallbackFilter,
): T[] {
  const facts = items.map(factsOf);
  // Linking async responses to their calls takes a pass over all facts: done once, when the first callback without
  // a call UUID of its own needs one.
  let callUuidOf: ((links: CallLinks) => string | undefined) | undefined;
  const linkedCall = (fact: FilterFacts): string | undefined =>
    (
      fact.callUuid || (callUuidOf ??= linkedCallUuid(facts.filter((f): f is FilterFacts => f !== undefined)))(fact)
    )?.toLowerCase();
  const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const callPrefix = filter.callUuid?.trim().toLowerCase();
  return items.filter((_item, index) => {
    const fact = facts[index];
    if (!fact) return false;
    if (filter.kinds?.length && !filter.kinds.includes(fact.kind)) return false;
    if (filter.signature?.length && !filter.signature.includes(fact.signature)) return false;
    if (callPrefix && !linkedCall(fact)?.startsWith(callPrefix)) return false;
    // Words hold no line breaks, so a word found in the text or the call UUID is found in one of their parts.
    return words.every((word) => fact.text.includes(word) || linkedCall(fact)?.includes(word));
  });
}

const KINDS: readonly CallbackKind[] = ['record', 'transcription', 'async', 'unknown'];
const STATES: readonly SignatureCheck['state'][] = ['valid', 'valid-v2', 'invalid', 'unsigned'];

/**
 * Reads one search box: `kind:record`, `call:<uuid prefix>`, `sig:invalid` (repeatable), the rest is free text.
 * Unknown values are reported rather than silently matching nothing.
 */
export function parseFilterQuery(query: string): { filter: CallbackFilter; problems: string[] } {
  const filter: CallbackFilter = {};
  const problems: string[] = [];
  const free: string[] = [];
  for (const token of query.split(/\s+/).filter(Boolean)) {
    const match = /^(kind|call|sig|signature):(.*)$/i.exec(token);
    if (!match) {
      free.push(token);
      continue;
    }
    const [, key, value] = match;
    const lower = value.toLowerCase();
    if (key.toLowerCase() === 'call') filter.callUuid = value;
    else if (key.toLowerCase() === 'kind') {
      if (KINDS.includes(lower as CallbackKind)) filter.kinds = [...(filter.kinds ?? []), lower as CallbackKind];
      else problems.push(`unknown kind "${value}" (use ${KINDS.join(', ')})`);
    } else if (STATES.includes(lower as SignatureCheck['state'])) {
      filter.signature = [...(filter.signature ?? []), lower as SignatureCheck['state']];
    } else problems.push(`unknown signature state "${value}" (use ${STATES.join(', ')})`);
  }
  if (free.length) filter.text = free.join(' ');
  return { filter, problems };
}
