// Signing in as a demo user in a browser journey, through the real sign-in page.

import type { Page } from 'playwright-core';
import type { Role } from '../../src/domain/permissions.ts';
import { DEMO_ACCOUNTS } from '../../src/modules/demo/demo-accounts.ts';

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
