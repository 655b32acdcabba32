// The accessibility check every journey relies on (support/browser.ts) can fail: a document with
// planted faults, served at one of the app's own URLs, is refused with each rule named, with
// JavaScript on and off (the JavaScript-off path checks a copy in a scratch page); the same page
// without the faults passes; and a page whose Content Security Policy forbids inline and
// evaluated scripts (as Amber's do) is still checked.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startSession, checkAccessibility, type Session } from './support/browser.ts';

const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'";

function document(body: string): string {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Planted</title></head>
<body><main><h1>Planted</h1>${body}</main></body></html>`;
}

const FAULTS = `<img src="/favicon.ico">
<p><a href="/elsewhere"></a></p>
<form><input type="text" name="unlabelled"></form>`;
const FIXED = `<img src="/favicon.ico" alt="Amber">
<p><a href="/elsewhere">Elsewhere</a></p>
<form><label for="labelled">Name</label><input type="text" id="labelled" name="labelled"></form>`;

/** Answers `path` on the app's origin with `html` (and a strict policy), in this page's context. */
async function serve(page: Page, path: string, html: string): Promise<void> {
  await page.route(`**${path}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'content-security-policy': STRICT_CSP },
      body: html,
    }),
  );
}

async function failure(page: Page, label: string): Promise<string> {
  const error = await checkAccessibility(page, label).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.ok(error, `${label}: the check passed a page with planted faults`);
  return error.message;
}

describe('the accessibility check refuses what axe-core finds', { timeout: 120_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  it('names every planted fault on a page with JavaScript on, under a strict policy', async () => {
    const page = await session.newPage();
    await serve(page, '/planted-faults', document(FAULTS));
    await page.goto('/planted-faults');
    const message = await failure(page, 'planted faults');
    assert.match(message, /Accessibility check failed on planted faults \(.*\/planted-faults\): 3 rule\(s\) violated/);
    for (const rule of ['image-alt', 'link-name', 'label']) assert.match(message, new RegExp(`- ${rule} \\(`));
    assert.match(message, /at img/);
  });

  it('names them with JavaScript off too', async () => {
    const page = await session.newPage({ javaScriptEnabled: false });
    await serve(page, '/planted-faults-no-js', document(FAULTS));
    await page.goto('/planted-faults-no-js');
    const message = await failure(page, 'planted faults, no JavaScript');
    assert.match(message, /\(JavaScript off\)/);
    for (const rule of ['image-alt', 'link-name', 'label']) assert.match(message, new RegExp(`- ${rule} \\(`));
  });

  it('passes the same page once the faults are fixed', async () => {
    const page = await session.newPage();
    await serve(page, '/planted-fixed', document(FIXED));
    await page.goto('/planted-fixed');
    await checkAccessibility(page, 'faults fixed');
  });
});
