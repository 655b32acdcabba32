// Who is asking, for every request: a session cookie (pages and the API) or a personal token
// (`Authorization: Bearer amber_…`, the API only: refused on pages and forms, so a token cannot
// make tokens, change a password or invite anyone). Knows nothing of accounts: the app passes
// in the functions that resolve a secret to an identity.
//
// Cookies are HttpOnly and SameSite=Lax, and Secure with the __Host- prefix in production.
// CSRF: every state-changing request made with the session cookie must carry the session's
// token, in the form field `_csrf` (pages), the `X-CSRF-Token` header (scripts using the
// cookie), or, for multipart uploads, the form's first field, read before the file (upload.ts).
// Forms shown before sign-in (sign-in, forgotten password, invitations) use a double-submit
// cookie instead. Requests with a bearer token carry no cookie, so they need no CSRF token.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface CookieNames {
  session: string;
  csrf: string;
}

export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { session: '__Host-amber_session', csrf: '__Host-amber_csrf' }
    : { session: 'amber_session', csrf: 'amber_csrf' };
}

export function readCookies(request: FastifyRequest): Record<string, string> {
  const header = request.headers.cookie;
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        /* a malformed cookie is ignored */
      }
    }
  }
  return out;
}

export function serialiseCookie(
  name: string,
  value: string,
  options: { secure: boolean; maxAgeSeconds?: number; expires?: Date },
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
  return parts.join('; ');
}

export function appendCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

/** The CSRF token a request presents: form field or header (an upload's is its first field: platform/http/upload.ts). */
export function presentedCsrfToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body._csrf === 'string') return body._csrf;
  return undefined;
}

/** Whether a request is for the JSON API (`/api` and below), the only place tokens are accepted. */
export const isApiUrl = (url: string) => url === '/api' || /^\/api[/?]/.test(url);

/** Whether a method may change something: a read-only token may send only GET and HEAD. */
export const mayWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** The client's address and browser, for the security log and rate limiting. */
export function clientOf(request: FastifyRequest): { ip: string; userAgent: string } {
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') };
}

/**
 * The double-submit token for forms shown before sign-in: set once in a cookie, echoed in the
 * form. Returns the token to put in the form.
 */
export function preSessionCsrf(
  request: FastifyRequest,
  reply: FastifyReply,
  names: CookieNames,
  secure: boolean,
): string {
  const existing = readCookies(request)[names.csrf];
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const token = newSecret();
  appendCookie(reply, serialiseCookie(names.csrf, token, { secure }));
  return token;
}

export type { FastifyInstance };
