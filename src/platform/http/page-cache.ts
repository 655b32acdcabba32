// Pages kept in memory for a session (ADR 0017, issue 14 "Fast pages"): a route that opts in
// (`config: { pageCache: true }`) may keep the page it sent to a signed-in person's GET, with the
// identity it was decided for, under (the session secret's hash, the URL). A later GET of the
// same URL with the same session is answered from it after ONE statement outside any
// transaction: the organisation's access generation (migration 2026-12-09-100), which every
// write that can change who may read what moves on. A different
// number, or a clock past the entry's "valid until" (the session's expiry or next "last seen"
// write, the next agreement to start or end, whatever the route adds), and the entry is dropped
// and the request takes the normal path, which keeps a fresh one.
//
// What stays per request: the CSP nonces, put in where the kept page and its CSP header had the
// normal path's, and what every response makes its own (its date, length and request id).
// Everything else was this session's already — the CSRF token is the session's, the header shows
// the identity kept with it, a flash message comes from the URL, the security headers are the
// ones the normal path sent with the page — and so is kept with it. A hit is answered in the
// request's first hooks (access.ts, `answerKeptPages`), before helmet builds its headers. Bounded:
// the least recently used entry goes when there are `maxEntries`.

import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from '../../domain/actor.ts';

export interface KeptPage extends KeptResponse {
  /** The identity the page was decided for (the header and the CSRF token come from it). */
  identity: Identity;
  /** The organisation's access generation read before anything the page decided on. */
  generation: string;
  /** Milliseconds since the epoch (the cache's clock): not used from then on. */
  validUntil: number;
}

/** A page as the normal path sent it, ready to send again with other nonces. */
export interface KeptResponse {
  /** The page (UTF-8) as sent, its script nonce (`NONCE_LENGTH` bytes) at each of `nonceAt`. */
  body: Buffer;
  nonceAt: readonly number[];
  /** The headers sent with it, but for the CSP and those every response has its own (`OWN_HEADERS`). */
  headers: Readonly<Record<string, string | string[]>>;
  /** The CSP header as sent, cut where its two nonces were: `csp[0] + nonce + csp[1] + nonce + csp[2]`. */
  csp: readonly [string, string, string];
  /** Which nonce went in each cut of `csp`, in order. */
  cspNonces: readonly ['script' | 'style', 'script' | 'style'];
}

/** CSP nonces as helmet makes them: 16 random bytes, in hex. */
export interface CspNonces {
  script: string;
  style: string;
}
export const NONCE_LENGTH = 32;

/** Headers that are each response's own: never kept with a page (the CSP is kept cut at its nonces). */
export const OWN_HEADERS: ReadonlySet<string> = new Set([
  'date',
  'content-length',
  'x-request-id',
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-security-policy',
]);

/**
 * What of the normal path's 200 response is kept: the page cut at its script nonce, the headers
 * but each response's own, the CSP cut at both nonces. Undefined when it cannot be kept this way:
 * the nonces are not helmet's, the style nonce is in the page (no page carries it today), or the
 * CSP does not carry each nonce exactly once.
 */
export function keptResponse(
  page: string,
  sentHeaders: Readonly<Record<string, unknown>>,
  nonces: CspNonces,
): KeptResponse | undefined {
  const hex = /^[0-9a-f]+$/;
  if (nonces.script.length !== NONCE_LENGTH || nonces.style.length !== NONCE_LENGTH) return undefined;
  if (!hex.test(nonces.script) || !hex.test(nonces.style) || nonces.script === nonces.style) return undefined;
  if (page.includes(nonces.style)) return undefined;
  const policy = sentHeaders['content-security-policy'];
  if (typeof policy !== 'string') return undefined;
  const at = (nonce: string) => {
    const i = policy.indexOf(nonce);
    return i >= 0 && policy.indexOf(nonce, i + 1) < 0 ? i : -1;
  };
  const script = at(nonces.script);
  const style = at(nonces.style);
  if (script < 0 || style < 0) return undefined;
  const [first, second] = script < style ? (['script', 'style'] as const) : (['style', 'script'] as const);
  const [i, j] = script < style ? [script, style] : [style, script];
  const csp = [policy.slice(0, i), policy.slice(i + NONCE_LENGTH, j), policy.slice(j + NONCE_LENGTH)] as const;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(sentHeaders)) {
    if (OWN_HEADERS.has(name) || value === undefined) continue;
    // What Node sends of a header: a string, a number, or a list of strings (set-cookie is not kept).
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) headers[name] = value;
    else return undefined;
  }
  // Kept encoded, as one buffer: a hit copies it once and writes its nonce over the old one.
  const body = Buffer.from(page);
  const nonceAt: number[] = [];
  for (let k = body.indexOf(nonces.script); k >= 0; k = body.indexOf(nonces.script, k + NONCE_LENGTH)) nonceAt.push(k);
  return { body, nonceAt, headers, csp, cspNonces: [first, second] };
}

/** Fresh nonces, as helmet makes them (16 random bytes each, in hex). */
export function freshNonces(): CspNonces {
  const hex = randomBytes(NONCE_LENGTH).toString('hex');
  return { script: hex.slice(0, NONCE_LENGTH), style: hex.slice(NONCE_LENGTH) };
}

/** The kept page and its CSP header with these nonces in place of the normal path's. */
export function withNonces(kept: KeptResponse, nonces: CspNonces): { body: Buffer; csp: string } {
  const body = Buffer.allocUnsafe(kept.body.length);
  kept.body.copy(body);
  for (const k of kept.nonceAt) body.write(nonces.script, k, NONCE_LENGTH, 'latin1');
  const [a, b, c] = kept.csp;
  return { body, csp: a + nonces[kept.cspNonces[0]] + b + nonces[kept.cspNonces[1]] + c };
}

export interface PageCacheOptions {
  /** At most this many pages (least recently used first out). Default 500. */
  maxEntries?: number;
  /** The clock the entries' "valid until" is compared with (tests move it). */
  now?: () => number;
}

export class PageCache {
  readonly #entries = new Map<string, KeptPage>();
  readonly maxEntries: number;
  readonly now: () => number;
  /** What became of lookups, for tests and benchmarks. */
  readonly counts = { hits: 0, misses: 0, stale: 0, expired: 0 };

  constructor(options: PageCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500);
    this.now = options.now ?? Date.now;
  }

  /** The key of a session secret and a URL: the secret itself is never kept. */
  static key(sessionSecret: string, url: string): string {
    return `${createHash('sha256').update(sessionSecret).digest('base64url')} ${url}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry if it is still within its time; an expired one is dropped. */
  find(key: string): KeptPage | undefined {
    const entry = this.#entries.get(key);
    if (!entry) {
      this.counts.misses++;
      return undefined;
    }
    if (this.now() >= entry.validUntil) {
      this.counts.expired++;
      this.#entries.delete(key);
      return undefined;
    }
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  keep(key: string, entry: KeptPage): void {
    if (this.now() >= entry.validUntil) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  drop(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
