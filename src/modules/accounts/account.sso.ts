// Single sign-on with OpenID Connect (issue 3): Amber as the relying party of the council's
// identity provider (Microsoft Entra ID, or any OIDC provider). The authorization code flow
// with PKCE, state and nonce; the provider vouches for an e-mail address, and the account
// service decides whether that address may sign in (an invited or active account).
//
// The attempt in progress (state, nonce, PKCE verifier, where to go next) travels in a
// short-lived HttpOnly cookie, not in memory, so the callback may reach another app instance.
// The provider's metadata is discovered lazily, once an hour at most, so Amber starts even when
// the provider cannot be reached, and says so on the sign-on pages instead.

import * as client from 'openid-client';
import { AppError } from '../../domain/errors.ts';

export interface SsoSettings {
  /** The provider's issuer (discovery at `/.well-known/openid-configuration` below it). */
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** The provider's name, for the button and messages ("Microsoft"). */
  name: string;
  /** The callback's public address, registered with the provider. */
  redirectUrl: string;
}

/** A sign-on in progress, kept in the browser between the start and the callback. */
export interface SsoAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The page to show after signing in (already checked by safeNext). */
  next?: string;
}

/** The provider could not be reached, or answered nonsense: nobody's fault in the browser. */
export class SsoUnavailableError extends AppError {
  constructor(message: string) {
    super('SSO_UNAVAILABLE', message, 503);
  }
}

/** A sign-on refused; `detail` is for the security log, `message` for the person. */
export class SsoRefusedError extends AppError {
  readonly detail: string;
  /** The address the provider named, when it named one. */
  readonly email: string;
  constructor(code: string, message: string, status: 401 | 403, detail: string, email = '') {
    super(code, message, status);
    this.detail = detail;
    this.email = email;
  }
}

const SCOPE = 'openid email profile';
const DISCOVERY_TTL_MS = 60 * 60_000;
// A simple, permissive shape: the account service matches it against invited addresses.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The address the provider vouches for: `email`, else Entra ID's `preferred_username` (the UPN) if it is one. */
export function emailOf(claims: Record<string, unknown>): string | undefined {
  for (const claim of ['email', 'preferred_username']) {
    const value = claims[claim];
    if (typeof value === 'string' && EMAIL.test(value.trim())) return value.trim();
  }
  return undefined;
}

/** The attempt as a cookie value, and back; anything malformed reads as no attempt. */
export function encodeAttempt(attempt: SsoAttempt): string {
  return Buffer.from(JSON.stringify(attempt)).toString('base64url');
}
export function decodeAttempt(value: string | undefined): SsoAttempt | undefined {
  if (!value || value.length > 2000) return undefined;
  try {
    const a = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, unknown>;
    const ok =
      ['state', 'nonce', 'codeVerifier'].every((k) => typeof a[k] === 'string' && (a[k] as string).length > 0) &&
      (a.next === undefined || typeof a.next === 'string');
    return ok
      ? {
          state: a.state as string,
          nonce: a.nonce as string,
          codeVerifier: a.codeVerifier as string,
          ...(a.next ? { next: a.next as string } : {}),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

export type SsoClient = ReturnType<typeof createSsoClient>;

export function createSsoClient(settings: SsoSettings, { now = () => Date.now() }: { now?: () => number } = {}) {
  let discovered: { at: number; configuration: Promise<client.Configuration> } | undefined;
  const unreachable = () =>
    new SsoUnavailableError(
      `Amber could not reach ${settings.name} to sign you in. Try again in a few minutes, or sign in with your e-mail address and password.`,
    );

  /** The provider's metadata, discovered on first use and again after an hour; a failure is not cached. */
  async function configuration(): Promise<client.Configuration> {
    if (!discovered || now() - discovered.at > DISCOVERY_TTL_MS) {
      const issuer = new URL(settings.issuerUrl);
      const configuration = client.discovery(
        issuer,
        settings.clientId,
        undefined,
        client.ClientSecretPost(settings.clientSecret),
        {
          // Plain http only for a provider on this machine in development and tests (config.ts refuses it in production).
          ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        },
      );
      discovered = { at: now(), configuration };
      configuration.catch(() => {
        if (discovered?.configuration === configuration) discovered = undefined;
      });
    }
    try {
      return await discovered.configuration;
    } catch (error) {
      throw Object.assign(unreachable(), { cause: error });
    }
  }

  return {
    name: settings.name,

    /** Where to send the browser, and the attempt to remember until it comes back. */
    async start(next: string | undefined): Promise<{ url: string; attempt: SsoAttempt }> {
      const config = await configuration();
      const attempt: SsoAttempt = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        ...(next ? { next } : {}),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: SCOPE,
        state: attempt.state,
        nonce: attempt.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(attempt.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, attempt };
    },

    /**
     * Checks the provider's answer against the attempt and exchanges the code for the ID token.
     * Returns the e-mail address the provider vouches for; throws SsoRefusedError otherwise.
     */
    async finish(query: string, attempt: SsoAttempt | undefined): Promise<{ email: string; subject: string }> {
      const params = new URLSearchParams(query);
      const returned = params.get('state');
      if (!attempt) {
        throw new SsoRefusedError(
          'SSO_NO_ATTEMPT',
          `The sign-in with ${settings.name} could not be matched to this browser: it took too long, or it was started somewhere else. Try again.`,
          401,
          'no sign-on in progress in this browser',
        );
      }
      if (returned !== attempt.state) {
        throw new SsoRefusedError(
          'SSO_STATE_MISMATCH',
          `The sign-in with ${settings.name} could not be matched to this browser. Try again from the sign-in page.`,
          401,
          returned ? 'the state did not match' : 'no state',
        );
      }
      const error = params.get('error');
      if (error) {
        const description = params.get('error_description') ?? '';
        throw new SsoRefusedError(
          'SSO_PROVIDER_REFUSED',
          error === 'access_denied'
            ? `${settings.name} did not let you sign in to Amber. If you think you should have access, ask your administrator.`
            : `${settings.name} could not sign you in (${error}). Try again, or ask your administrator.`,
          403,
          `the provider answered ${error}${description ? `: ${description}` : ''}`.slice(0, 500),
        );
      }
      const config = await configuration();
      const currentUrl = new URL(settings.redirectUrl);
      currentUrl.search = params.toString();
      let claims: Record<string, unknown>;
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
        // Providers may keep e-mail claims for the userinfo endpoint (OIDC Core 5.4); the ID token's own claims win.
        // Best effort: without it, Entra ID's preferred_username may still name the account.
        if (typeof claims.email !== 'string' && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
          const userinfo = await client
            .fetchUserInfo(config, tokens.access_token, String(claims.sub))
            .catch(() => ({}));
          claims = { ...userinfo, ...claims };
        }
      } catch (cause) {
        if (
          cause instanceof client.ResponseBodyError ||
          cause instanceof client.ClientError ||
          cause instanceof client.AuthorizationResponseError
        ) {
          throw Object.assign(
            new SsoRefusedError(
              'SSO_FAILED',
              `The sign-in with ${settings.name} could not be completed. Try again from the sign-in page.`,
              401,
              `the answer was refused: ${(cause as Error).message}`.slice(0, 500),
            ),
            { cause },
          );
        }
        throw Object.assign(unreachable(), { cause });
      }
      const subject = String(claims.sub);
      const email = emailOf(claims);
      if (!email) {
        throw new SsoRefusedError(
          'SSO_NO_EMAIL',
          `${settings.name} did not tell Amber your e-mail address, so Amber cannot tell which account is yours. Ask your administrator.`,
          403,
          `no e-mail address in the claims of ${subject}`,
        );
      }
      if (claims.email_verified === false) {
        throw new SsoRefusedError(
          'SSO_EMAIL_UNVERIFIED',
          `${settings.name} has not verified the e-mail address ${email}, so Amber cannot use it to sign you in. Ask your administrator.`,
          403,
          `${settings.name} says the address is not verified (subject ${subject})`,
          email,
        );
      }
      return { email, subject };
    },
  };
}
