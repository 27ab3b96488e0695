// Plivo callback signatures (X-Plivo-Signature-V3 / -V2), computed the way the
// official SDKs do (plivo-node lib/utils/v3Security.js, security.js).
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

type ParamValues = Record<string, string | string[]>;

/** Splits a URL string without normalising it: Plivo signs the URL as configured, default ports included. */
function splitUrl(uri: string): { base: string; query: string } {
  const withoutFragment = uri.split('#', 1)[0];
  const queryStart = withoutFragment.indexOf('?');
  return queryStart < 0
    ? { base: withoutFragment, query: '' }
    : { base: withoutFragment.slice(0, queryStart), query: withoutFragment.slice(queryStart + 1) };
}

function toMultiMap(params: ParamValues): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [key, value] of Object.entries(params)) map.set(key, Array.isArray(value) ? [...value] : [value]);
  return map;
}

/** Query values are signed decoded; blank values are kept (plivo-python da5fc98). */
function parseQuery(query: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(query)) map.set(key, [...(map.get(key) ?? []), value]);
  return map;
}

/** Like plivo-node, colliding keys keep the values of both sources. */
function mergeInto(target: Map<string, string[]>, source: Map<string, string[]>): Map<string, string[]> {
  for (const [key, values] of source) target.set(key, [...(target.get(key) ?? []), ...values]);
  return target;
}

/** Keys, then each key's values, in UTF-16 code-unit order (JS default sort), as the SDKs do. */
function sortedPairs(map: Map<string, string[]>): Array<[string, string]> {
  return [...map.keys()]
    .sort()
    .flatMap((key) => [...(map.get(key) ?? [])].sort().map((value): [string, string] => [key, value]));
}

function sortedQueryString(map: Map<string, string[]>): string {
  return sortedPairs(map)
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function hmacBase64(authToken: string, message: string): string {
  // A string key is used as its UTF-8 bytes.
  return createHmac('sha256', authToken).update(message, 'utf8').digest('base64');
}

/** Body params as V3 signs them: each key and value glued together, in the order of `sortedPairs`. */
function bodyString(params: ParamValues, keys: string[]): string {
  let text = '';
  for (const key of keys.sort()) {
    const value = params[key];
    if (typeof value === 'string') text += key + value;
    else for (const item of [...value].sort()) text += key + item;
  }
  return text;
}

function v3BaseString(method: 'GET' | 'POST', uri: string, params: ParamValues): string {
  const { base, query } = splitUrl(uri);
  if (method === 'GET') {
    const queryString = sortedQueryString(mergeInto(parseQuery(query), toMultiMap(params)));
    return queryString ? `${base}?${queryString}` : base;
  }
  const queryString = query ? sortedQueryString(parseQuery(query)) : '';
  const keys = Object.keys(params);
  const hasBody = keys.length > 0;
  if (!queryString && !hasBody) return base;
  return `${base}?${queryString}${queryString && hasBody ? '.' : ''}${bodyString(params, keys)}`;
}

function normaliseMethod(method: string): 'GET' | 'POST' | undefined {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'POST' ? upper : undefined;
}

/** Plivo only signs GET and POST callbacks; any other method throws a RangeError. */
export function computeSignatureV3(
  method: string,
  uri: string,
  params: ParamValues,
  nonce: string,
  authToken: string,
): string {
  const signedMethod = normaliseMethod(method);
  if (!signedMethod) throw new RangeError(`Plivo signs only GET and POST callbacks, not ${method}`);
  return hmacBase64(authToken, `${v3BaseString(signedMethod, uri, params)}.${nonce}`);
}

/** V2 covers only the URL without its query, and the nonce follows it with no separator. */
export function computeSignatureV2(uri: string, nonce: string, authToken: string): string {
  return hmacBase64(authToken, splitUrl(uri).base + nonce);
}

function randomNonce(): string {
  return Array.from({ length: 20 }, () => randomInt(10)).join('');
}

/**
 * Headers Plivo would send for this callback. For GET, `uri` excludes the callback
 * params; they are appended as the query string when the request is sent.
 */
export function signCallbackHeaders(
  method: 'GET' | 'POST',
  uri: string,
  params: Record<string, string>,
  authToken: string,
  nonce: string = randomNonce(),
): Record<string, string> {
  const v3 = computeSignatureV3(method, uri, params, nonce, authToken);
  return {
    'X-Plivo-Signature-V3': v3,
    'X-Plivo-Signature-Ma-V3': v3,
    'X-Plivo-Signature-V3-Nonce': nonce,
    'X-Plivo-Signature-V2': computeSignatureV2(uri, nonce, authToken),
    'X-Plivo-Signature-V2-Nonce': nonce,
  };
}

/**
 * `valid`: a V3 signature (URL, nonce and every parameter) matches. `valid-v2`: only a V2 signature
 * was sent and it matches; V2 covers the URL and nonce but not the parameters, so those may have
 * been changed. `replay`: the signature matches but its nonce was seen before (set by the listener).
 */
export type SignatureCheck = {
  state: 'valid' | 'valid-v2' | 'invalid' | 'unsigned';
  version?: 'v3' | 'v2';
  detail: string;
  replay?: true;
};

/** True only for a V3 signature that matched and was not a replay: what may change a recording's state. */
export function isVerified(check: SignatureCheck | undefined): boolean {
  return check?.state === 'valid' && check.replay !== true;
}

/** Short text for a check, weakest claim first: a replay or a V2-only signature never reads as plainly signed. */
export function signatureLabel(check: SignatureCheck | undefined): string {
  if (check?.replay && (check.state === 'valid' || check.state === 'valid-v2')) return '⚠ replay: nonce seen before';
  switch (check?.state) {
    case 'valid':
      return '✓ signed (v3)';
    case 'valid-v2':
      return 'v2: parameters not covered';
    case 'invalid':
      return '✗ invalid signature';
    default:
      return 'unsigned';
  }
}

type Headers = Record<string, string | string[] | undefined>;

export interface SignatureInput {
  method: string;
  /** The URL as Plivo called it: public base URL + path + query. */
  url: string;
  params: ParamValues;
  /** Lower-case header names, as node:http delivers them. */
  headers: Headers;
  authTokens: string[];
}

function headerText(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Several signatures may arrive comma-separated (token rotation, main + subaccount). */
function candidateSignatures(headers: Headers, names: string[]): string[] {
  const found: string[] = [];
  for (const name of names) {
    const text = headerText(headers, name);
    if (text === undefined) continue;
    for (const part of text.split(',')) {
      const signature = part.trim();
      if (signature) found.push(signature);
    }
  }
  return found;
}

/** Whether `expected` equals any of `candidates`; every one is compared, so the time taken does not tell which. */
function matchesAny(candidates: readonly Buffer[], expected: string): boolean {
  const right = Buffer.from(expected, 'utf8');
  let matched = false;
  for (const left of candidates) {
    if (left.length === right.length && timingSafeEqual(left, right)) matched = true;
  }
  return matched;
}

interface SignatureFamily {
  version: 'v3' | 'v2';
  signatureHeaders: string[];
  nonceHeader: string;
}

// Order matters: V3 is preferred when both families are present.
const FAMILIES: SignatureFamily[] = [
  {
    version: 'v3',
    signatureHeaders: ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3'],
    nonceHeader: 'x-plivo-signature-v3-nonce',
  },
  {
    version: 'v2',
    signatureHeaders: ['x-plivo-signature-v2', 'x-plivo-signature-ma-v2'],
    nonceHeader: 'x-plivo-signature-v2-nonce',
  },
];

/** What the signature of `version` is the HMAC of; the same for every token, so it is built once per check. */
function signedMessage(version: 'v3' | 'v2', method: 'GET' | 'POST', input: SignatureInput, nonce: string): string {
  if (version === 'v2') return splitUrl(input.url).base + nonce;
  // For GET the query of `url` already holds the callback params Plivo signed;
  // adding `params` again would count them twice.
  const signedParams = method === 'GET' && splitUrl(input.url).query ? {} : input.params;
  return `${v3BaseString(method, input.url, signedParams)}.${nonce}`;
}

/** The nonce the signature of `version` was made with, as sent. */
export function signatureNonce(headers: Headers, version: 'v3' | 'v2'): string | undefined {
  const family = FAMILIES.find((f) => f.version === version);
  return family && headerText(headers, family.nonceHeader);
}

/**
 * Checks the V3 headers when present (then V2 is not consulted: a matching V2 beside a failing V3
 * means the parameters were changed), else the V2 headers; never puts a token in the result.
 */
export function verifyPlivoSignature(input: SignatureInput): SignatureCheck {
  return checkPlivoSignature(input).check;
}

/** A check, and which of the Auth Tokens made a matching signature; the token is for use in this process only. */
export interface SignatureMatch {
  check: SignatureCheck;
  authToken?: string;
}

/**
 * `verifyPlivoSignature`, also saying which of `authTokens` made a matching signature, so a caller that must know
 * whose it is need not check again. The check itself never holds the token.
 */
export function checkPlivoSignature(input: SignatureInput): SignatureMatch {
  let family: SignatureFamily | undefined;
  let candidates: string[] = [];
  for (const f of FAMILIES) {
    candidates = candidateSignatures(input.headers, f.signatureHeaders);
    if (candidates.length > 0) {
      family = f;
      break;
    }
  }
  if (!family) return { check: { state: 'unsigned', detail: 'no X-Plivo-Signature-V3 or -V2 header' } };
  const { version } = family;
  const method = normaliseMethod(input.method);
  if (!method) {
    return {
      check: { state: 'invalid', version, detail: `Plivo signs only GET and POST callbacks, not ${input.method}` },
    };
  }
  const nonce = headerText(input.headers, family.nonceHeader);
  if (!nonce) return { check: { state: 'invalid', version, detail: `nonce header missing (${family.nonceHeader})` } };
  const tokens = input.authTokens.filter(Boolean);
  if (tokens.length === 0) {
    return { check: { state: 'invalid', version, detail: 'no Auth Token available to check the signature' } };
  }

  const message = signedMessage(version, method, input, nonce);
  const sent = candidates.map((candidate) => Buffer.from(candidate, 'utf8'));
  const authToken = tokens.find((token) => matchesAny(sent, hmacBase64(token, message)));
  if (authToken !== undefined && version === 'v2') {
    const detail =
      'v2: parameters not covered (only a V2 signature was sent; it covers the URL and nonce, not the parameters)';
    return { check: { state: 'valid-v2', version, detail }, authToken };
  }
  if (authToken !== undefined) {
    return { check: { state: 'valid', version, detail: 'V3 signature matches the Auth Token' }, authToken };
  }
  const tokenWord = tokens.length > 1 ? `any of the ${tokens.length} Auth Tokens` : 'the Auth Token';
  const detail = `signature does not match ${tokenWord} for ${method} ${input.url} (is this the exact URL Plivo called?)`;
  return { check: { state: 'invalid', version, detail } };
}
