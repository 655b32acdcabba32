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
// What stays per request: the CSP nonce, put in where the kept page had its own. Everything else
// on the page was this session's already — the CSRF token is the session's, the header shows the
// identity kept with it, a flash message comes from the URL — and so is kept with it. Bounded: the
// least recently used entry goes when there are `maxEntries`.

import { createHash } from 'node:crypto';
import type { Identity } from '../../domain/actor.ts';

export interface KeptPage {
  /** The identity the page was decided for (the header and the CSRF token come from it). */
  identity: Identity;
  /** The page as sent (UTF-8), cut where its CSP nonce was: joined with each request's own nonce. */
  pieces: Buffer[];
  /** The organisation's access generation read before anything the page decided on. */
  generation: string;
  /** Milliseconds since the epoch (the cache's clock): not used from then on. */
  validUntil: number;
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
