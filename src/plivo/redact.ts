// Keeps the Auth Token out of every message and log entry, in each form it travels in.
import type { PlivoCredentials } from './types';

const MASK = '[redacted]';

/** The token itself, and the Basic credentials built from it (standard and URL-safe Base64, URL-encoded). */
export function secretForms(credentials: PlivoCredentials): string[] {
  const basic = Buffer.from(`${credentials.authId}:${credentials.authToken}`).toString('base64');
  const forms = [
    credentials.authToken,
    encodeURIComponent(credentials.authToken),
    basic,
    basic.replace(/=+$/, ''),
    Buffer.from(`${credentials.authId}:${credentials.authToken}`).toString('base64url'),
    encodeURIComponent(basic),
  ];
  // Longest first, so that a form containing another is masked whole.
  return [...new Set(forms.filter((form) => form.length > 0))].sort((a, b) => b.length - a.length);
}

/** `text` with every secret form replaced by "[redacted]". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}
