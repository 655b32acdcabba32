// Signing in as a demo user in a browser journey: through the real sign-in page, or (for a
// journey that is not about signing in) with a session cookie the accounts service made.

import type { Page } from 'playwright-core';
import type { Role } from '../../src/domain/permissions.ts';
import { DEMO_ACCOUNTS } from '../../src/modules/demo/demo-accounts.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { cookieNames } from '../../src/platform/http/auth.ts';
import type { Session } from './browser.ts';

export function demoAccount(role: Role) {
  const account = DEMO_ACCOUNTS.find((a) => a.role === role);
  if (!account) throw new Error(`the demo has no ${role} account`);
  return account;
}

/** Signs in as the demo account of `role` (the app must hold the demo). */
export async function signInAs(page: Page, baseUrl: string, role: Role = 'performance_officer'): Promise<void> {
  const account = demoAccount(role);
  await page.goto(`${baseUrl}/sign-in`);
  if (await page.locator('[data-qa="sign-out"]').count()) {
    await page.locator('[data-qa="sign-out"]').click();
    await page.waitForURL(/\/sign-in/);
  }
  await page.fill('#email', account.email);
  await page.fill('#password', account.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/sign-in')),
    page.click('[data-qa="sign-in"]'),
  ]);
}

/**
 * Signs the page's browser context in as the demo account of `role` with a session started by the
 * accounts service, as the sign-in page would have: no page, no password. For a journey that
 * changes who is signed in many times and is not about signing in (e2e/accounts.test.ts walks
 * the sign-in page, refused and accepted); the cookie it replaces is left to expire.
 */
export async function useSessionAs(page: Page, session: Session, role: Role): Promise<void> {
  const { services } = session.testApp;
  const home = await services.organisations.getHome();
  const email = demoAccount(role).email;
  const user = (await services.accounts.listUsers(systemActor(home.id, 'e2e sign-in'))).find((u) => u.email === email);
  if (!user) throw new Error(`the demo has no account ${email}`);
  const { token } = await services.accounts.startSession(user.id, home.id, 'password', {
    ip: '127.0.0.1',
    userAgent: 'e2e',
  });
  await page
    .context()
    .addCookies([
      { name: cookieNames(false).session, value: token, url: session.baseUrl, httpOnly: true, sameSite: 'Lax' },
    ]);
}
