// Browser plumbing for the journeys: one Chromium (Debian's) per test file, the real app on a
// loopback port, and an axe-core check that fails with a list a person can act on.
// No Playwright test runner: the journeys run under node:test like every other test.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Result } from 'axe-core';
import { buildTestApp, listen, type TestApp } from '../../test/helpers/app.ts';
import type { Role } from '../../src/domain/permissions.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp.ts';
import { createSmtpMailer } from '../../src/platform/mail/mailer.ts';
import { buildJobHandlers } from '../../src/composition.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_MISSING = "install Debian's chromium (apt-get install -y chromium)";

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Contexts made with JavaScript off: axe cannot run in their pages (see checkAccessibility). */
const scriptless = new WeakSet<BrowserContext>();

/** Launches Debian's Chromium; throws (so the test fails, never skips) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`Chromium is not at ${executablePath}: ${CHROMIUM_MISSING}`);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}

/**
 * One Chromium per test process, shared by the journeys that run in it one after another (the
 * suite's shards run several files each, ADR 0011): each journey has its own app, contexts and
 * cookies, so nothing of one reaches the next, and a launch (~2.3 s of CPU here) is paid once per
 * shard rather than once per file. The last journey to let go closes it after a moment, unless
 * another journey has taken it by then (bin/test.js runs a shard's journeys one after another).
 */
const SHARED_BROWSER_GRACE_MS = 1_000;
interface SharedBrowser {
  browser: Promise<Browser>;
  users: number;
  closing: NodeJS.Timeout | undefined;
}
let shared: SharedBrowser | undefined;

async function takeSharedBrowser(): Promise<Browser> {
  if (shared) {
    clearTimeout(shared.closing);
    shared.closing = undefined;
    const current = shared;
    current.users += 1;
    const browser = await current.browser;
    if (browser.isConnected()) return browser;
    // It crashed or was closed under us: start again.
    if (shared === current) shared = undefined;
    return takeSharedBrowser();
  }
  const entry: SharedBrowser = { browser: launchBrowser(), users: 1, closing: undefined };
  shared = entry;
  try {
    return await entry.browser;
  } catch (error) {
    if (shared === entry) shared = undefined;
    throw error;
  }
}

async function releaseSharedBrowser(browser: Browser): Promise<void> {
  const entry = shared;
  if (!entry || (await entry.browser) !== browser) return closeBrowser(browser);
  entry.users -= 1;
  if (entry.users > 0) return;
  entry.closing = setTimeout(() => {
    if (shared === entry && entry.users === 0) {
      shared = undefined;
      void closeBrowser(browser).catch(() => undefined);
    }
  }, SHARED_BROWSER_GRACE_MS);
}

/** What a journey file works with: the app on a port, one browser, and one page to reuse. */
export interface Session {
  baseUrl: string;
  testApp: TestApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The SMTP server e-mails arrive at (with `mail: true`). */
  smtp: TestSmtpServer | undefined;
  /** A new context on the same app, e.g. with JavaScript disabled. Closed with the session. */
  newPage(options?: { javaScriptEnabled?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts a browser and the app (PGlite, demo organisation loaded). Call from `before`; call
 * `close()` from `after`. The browser comes first, so a missing Chromium fails at once.
 */
/**
 * How long a journey waits for a download: a PDF or Word file is drawn on the server (a board pack
 * in a worker thread), which on a loaded two-core machine running the suite's shards can take
 * longer than the 10 s every other step is allowed.
 */
export const DOWNLOAD_TIMEOUT = 60_000;

export async function startSession(
  options: {
    chromiumPath?: string;
    /** Signed in (cookie set) with these roles, or not at all. */ as?: readonly Role[] | false;
    /** E-mail goes through a real SMTP server started here, sent by a running job worker. */ mail?: boolean;
  } = {},
): Promise<Session> {
  const browser =
    options.chromiumPath === undefined || options.chromiumPath === CHROMIUM_PATH
      ? await takeSharedBrowser()
      : await launchBrowser(options.chromiumPath);
  const letGo = () =>
    options.chromiumPath === undefined || options.chromiumPath === CHROMIUM_PATH
      ? releaseSharedBrowser(browser)
      : closeBrowser(browser);
  let testApp: TestApp | undefined;
  const contexts: BrowserContext[] = [];
  const smtp = options.mail ? await startTestSmtpServer() : undefined;
  try {
    testApp = await buildTestApp('pglite', {
      as: options.as ?? ['administrator', 'performance_officer'],
      ...(smtp
        ? { services: { mailer: createSmtpMailer({ url: smtp.url, from: 'Amber <amber@test.example>' }) } }
        : {}),
    });
    const worker = smtp
      ? testApp.services.jobs.queue.startWorker({ handlers: buildJobHandlers(testApp.services), pollMs: 200 })
      : undefined;
    const app = testApp;
    const baseUrl = await listen(app);
    const newContext = async (contextOptions: { javaScriptEnabled?: boolean } = {}) => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        acceptDownloads: true,
        locale: 'en-GB',
        ...contextOptions,
      });
      context.setDefaultTimeout(10_000);
      if (contextOptions.javaScriptEnabled === false) scriptless.add(context);
      // Journeys that are not about signing in start signed in (the session made by buildTestApp);
      // the sign-in journeys go through the page (support/sign-in.ts).
      if (app.session) {
        const [name, value] = app.session.headers.cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
      }
      contexts.push(context);
      return context;
    };
    const context = await newContext();
    const page = await context.newPage();
    return {
      baseUrl,
      testApp: app,
      browser,
      context,
      page,
      smtp,
      async newPage(pageOptions) {
        return (await newContext(pageOptions)).newPage();
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await letGo();
        await worker?.stop();
        await app.close();
        await smtp?.close();
      },
    };
  } catch (error) {
    for (const c of contexts) await c.close().catch(() => undefined);
    await letGo().catch(() => undefined);
    await testApp?.close();
    await smtp?.close();
    throw error;
  }
}

/** One line per failing node: rule, impact, where, and what to do. */
export function formatViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const targets = v.nodes.map(
        (n) =>
          `      at ${n.target.map(String).join(' >> ')}${n.failureSummary ? `\n         ${n.failureSummary.replace(/\n\s*/g, '; ')}` : ''}`,
      );
      return `  - ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}\n    ${v.helpUrl}\n${targets.join('\n')}`;
    })
    .join('\n');
}

/**
 * Runs axe-core (WCAG 2.2 A and AA) on the page as it is now; throws listing every violation.
 * A document identical to one that already passed in this browser (the same page reached again
 * by a back link) is not checked twice: the result could not differ, and it keeps the suite fast.
 *
 * The check runs on a copy: the page's document as it stands (scripts removed, having run) is
 * written into a probe page on the same origin, whose axe-core was evaluated once and stays warm.
 * Evaluating axe's 560 KB into every document checked, then running it cold, was most of a check's
 * CPU (bench/README.md, "The suite's CPU"). The copy is the same DOM, drawn with the same
 * stylesheets in a window of the same size. A page whose JavaScript is off (axe needs timers,
 * which do not run there) is checked the same way, by a probe in a context of its own.
 */
export async function checkAccessibility(page: Page, label: string): Promise<void> {
  const off = scriptless.has(page.context());
  // The document as Playwright's page.content() serialises it, and whether it is laid out for print.
  const { html, print } = await page.evaluate(() => ({
    html: `${document.doctype ? new XMLSerializer().serializeToString(document.doctype) : ''}${document.documentElement.outerHTML}`,
    print: matchMedia('print').matches,
  }));
  const url = new URL(page.url());
  const passed = passedFor(page);
  const key = `${off ? 'no-js' : 'js'} ${url.pathname} ${createHash('sha256')
    .update(html.replace(/ nonce="[^"]*"/g, ''))
    .digest('hex')}`;
  if (passed.has(key)) return;
  const fullLabel = off ? `${label} (JavaScript off)` : label;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // A document set by hand on a blank page has no origin to draw its stylesheets from.
    await page.evaluate(AXE_SOURCE);
    await runAxe(page, fullLabel, page.url());
  } else {
    const probe = await probeFor(page, url.origin);
    const viewport = page.viewportSize();
    if (viewport && (viewport.width !== probe.viewport.width || viewport.height !== probe.viewport.height)) {
      await probe.page.setViewportSize(viewport);
      probe.viewport = viewport;
    }
    if (probe.print !== print) {
      await probe.page.emulateMedia({ media: print ? 'print' : null });
      probe.print = print;
    }
    await probe.page.evaluate(
      async ({ document: copy, path }) => {
        history.replaceState(null, '', path);
        document.open();
        document.write(copy);
        document.close();
        // A written document is "complete" at once; wait for what its layout needs, as a load would.
        const loading = [
          ...document.querySelectorAll<HTMLLinkElement | HTMLImageElement>('link[rel~="stylesheet"], img'),
        ]
          .filter((e) => (e instanceof HTMLLinkElement ? !e.sheet : !e.complete))
          .map(
            (e) =>
              new Promise((resolve) => {
                e.addEventListener('load', resolve, { once: true });
                e.addEventListener('error', resolve, { once: true });
              }),
          );
        await Promise.all(loading);
        await document.fonts.ready;
      },
      { document: html.replace(/<script\b[\s\S]*?<\/script>/gi, ''), path: `${url.pathname}${url.search}` },
    );
    await runAxe(probe.page, fullLabel, page.url());
  }
  passed.add(key);
}

const passedDocuments = new WeakMap<Browser, Set<string>>();
function passedFor(page: Page): Set<string> {
  const browser = page.context().browser();
  if (!browser) throw new Error('the page has no browser');
  let set = passedDocuments.get(browser);
  if (!set) passedDocuments.set(browser, (set = new Set()));
  return set;
}

interface Probe {
  page: Page;
  /** Its window's size and whether it is laid out for print: the page checked's, as last set. */
  viewport: { width: number; height: number };
  print: boolean;
}
const probes = new WeakMap<BrowserContext, Map<string, Promise<Probe>>>();
const PROBE_PATH = '/__accessibility-probe';
/**
 * One probe page per context and origin, with axe-core evaluated into it once: a blank document
 * answered at the origin (so the copy's links and stylesheets resolve as the page's do), kept for
 * every check. It lives in the page's own context (its cookies and cached stylesheets), or for a
 * context with JavaScript off in a context of its own, closed with the page's.
 */
function probeFor(page: Page, origin: string): Promise<Probe> {
  const context = page.context();
  let byOrigin = probes.get(context);
  if (!byOrigin) probes.set(context, (byOrigin = new Map()));
  let probe = byOrigin.get(origin);
  if (!probe) {
    probe = (async () => {
      let probePage: Page;
      if (scriptless.has(context)) {
        const browser = context.browser();
        if (!browser) throw new Error('the page has no browser');
        const own = await browser.newContext({ locale: 'en-GB' });
        context.once('close', () => void own.close().catch(() => undefined));
        probePage = await own.newPage();
      } else {
        probePage = await context.newPage();
      }
      const probeUrl = `${origin}${PROBE_PATH}`;
      await probePage.route(probeUrl, (route) =>
        route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: '<!DOCTYPE html><title>probe</title>',
        }),
      );
      await probePage.goto(probeUrl);
      await probePage.evaluate(AXE_SOURCE);
      return { page: probePage, viewport: probePage.viewportSize() ?? { width: 0, height: 0 }, print: false };
    })();
    byOrigin.set(origin, probe);
  }
  return probe;
}

/** axe-core's own build, evaluated into each probe page. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core run in a page that holds it (a probe, or a page whose source was evaluated into it:
 * evaluation bypasses the page's Content Security Policy, as a browser extension's would), on the
 * whole document with the WCAG tags. Done by hand rather than with @axe-core/playwright's
 * AxeBuilder, whose legacy mode sent and compiled the 560 KB source twice per check and asked the
 * page three more questions: ~0.9 s of Chromium's CPU a check against ~0.55 s with one evaluation.
 * The options are AxeBuilder's (`runOnly` by tag, violations only) plus one: the `preload` of
 * assets fetches and re-parses every stylesheet for the one rule that reads the CSS object model
 * (`css-orientation-lock`, experimental, so never run here); media is still preloaded for
 * `no-autoplay-audio`.
 */
async function runAxe(page: Page, label: string, url: string): Promise<void> {
  const violations = await page.evaluate(
    async ({ tags }) => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const results = await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
        preload: { assets: ['media'] },
      });
      return results.violations;
    },
    { tags: WCAG_TAGS },
  );
  if (violations.length > 0) {
    throw new Error(
      `Accessibility check failed on ${label} (${url}): ${violations.length} rule(s) violated\n${formatViolations(violations)}`,
    );
  }
}

/**
 * Runs `action` (a click or submit) and waits for the main frame to load the page it leads to.
 * Use for every action that navigates, so the page object that follows sees the new document.
 */
export async function navigates(page: Page, action: () => Promise<unknown>): Promise<void> {
  // Promise.all: if the action fails, its error is reported and the wait's rejection is handled.
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    action(),
  ]);
  await page.waitForLoadState('load');
}
