// Plivo's Account and Subaccount resources (see docs/plivo-api.md, "Subaccounts").
import { PlivoError } from './errors';
import { boundedInteger, toPageMeta, type RecordingPageMeta } from './recordings';
import { authIdProblem } from './validate';

export const MAX_SUBACCOUNTS_PAGE_SIZE = 20;

export interface Subaccount {
  /** `SA…` */
  readonly authId: string;
  readonly name: string;
  readonly enabled: boolean;
  /** As Plivo sends it, e.g. `2017-05-22`. */
  readonly created?: string;
  readonly modified?: string;
}

/** What `GET /Subaccount/{auth_id}/` adds: the token, so a subaccount can be saved without typing it. */
export interface SubaccountWithToken extends Subaccount {
  readonly authToken: string;
}

export interface SubaccountPage {
  /** Without tokens, although Plivo sends them: lists are for showing. */
  readonly subaccounts: Subaccount[];
  readonly meta: RecordingPageMeta;
}

export interface ListSubaccountsOptions {
  /** 1..20, default 20. */
  limit?: number;
  /** Default 0. */
  offset?: number;
}

/** `GET /v1/Account/{auth_id}/`, the fields useful to name an account. */
export interface AccountDetails {
  readonly authId: string;
  readonly name: string;
  /** e.g. `standard` */
  readonly accountType?: string;
  /** e.g. `prepaid` */
  readonly billingMode?: string;
  readonly timezone?: string;
}

export function subaccountListQuery(options: ListSubaccountsOptions): Record<string, string> {
  const limit = boundedInteger('limit', options.limit, 1, MAX_SUBACCOUNTS_PAGE_SIZE) ?? MAX_SUBACCOUNTS_PAGE_SIZE;
  const offset = boundedInteger('offset', options.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  return { limit: String(limit), offset: String(offset) };
}

/** Subaccounts fetched a few pages at a time: a reseller can have thousands, each page costs a request. */
export interface SubaccountBatch {
  readonly subaccounts: Subaccount[];
  /** Where the next batch starts; undefined when Plivo has no more. */
  readonly nextOffset?: number;
}

/** Pages fetched per batch: 100 subaccounts, 5 requests of the account's budget. */
export const SUBACCOUNT_BATCH_PAGES = 5;

/** Up to SUBACCOUNT_BATCH_PAGES pages of subaccounts from `offset`, one request after another (through `list`). */
export async function listSubaccountBatch(
  list: (options: ListSubaccountsOptions) => Promise<SubaccountPage>,
  offset = 0,
): Promise<SubaccountBatch> {
  const subaccounts: Subaccount[] = [];
  for (let page = 0; page < SUBACCOUNT_BATCH_PAGES; page++) {
    const result = await list({ offset: offset + subaccounts.length });
    subaccounts.push(...result.subaccounts);
    if (!result.meta.next || result.subaccounts.length === 0) return { subaccounts };
  }
  return { subaccounts, nextOffset: offset + subaccounts.length };
}

/** Also keeps the id from adding path segments to the request URL. */
export function assertSubaccountAuthId(authId: string): void {
  const problem =
    authIdProblem(authId) ?? (authId.startsWith('SA') ? undefined : 'A subaccount Auth ID starts with SA.');
  if (problem) throw new PlivoError('invalid-argument', problem, { param: 'auth_id' });
}

/** Parses the body of `GET /Subaccount/`. */
export function toSubaccountPage(body: Record<string, unknown> | undefined): SubaccountPage {
  const objects = body?.objects;
  const meta = body?.meta;
  if (!Array.isArray(objects)) throw badShape('objects');
  if (!isObject(meta)) throw badShape('meta');
  const subaccounts = objects.map((o) => {
    if (!isObject(o)) throw badShape('objects');
    return toSubaccount(o);
  });
  return { subaccounts, meta: toPageMeta(meta, subaccounts.length) };
}

export function toSubaccount(body: Record<string, unknown> | undefined): Subaccount {
  const authId = text(body?.auth_id);
  if (!authId) throw badShape('auth_id');
  return {
    authId,
    name: text(body?.name) ?? '',
    // Plivo sends a boolean; its SDKs send "true"/"false" when updating.
    enabled: body?.enabled === true || body?.enabled === 'true',
    created: text(body?.created),
    modified: text(body?.modified),
  };
}

export function toSubaccountWithToken(body: Record<string, unknown> | undefined): SubaccountWithToken {
  const authToken = text(body?.auth_token);
  if (!authToken) throw badShape('auth_token');
  return { ...toSubaccount(body), authToken };
}

export function toAccountDetails(body: Record<string, unknown> | undefined): AccountDetails {
  const authId = text(body?.auth_id);
  if (!authId) throw badShape('auth_id');
  return {
    authId,
    name: text(body?.name) ?? '',
    accountType: text(body?.account_type),
    billingMode: text(body?.billing_mode),
    timezone: text(body?.timezone),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function badShape(field: string): PlivoError {
  return new PlivoError(
    'bad-response',
    `Plivo's account answer lacks a valid "${field}" field; is the API base URL a Plivo API?`,
  );
}
