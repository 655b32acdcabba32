// Browser plumbing for the journeys: one Chromium (Debian's) per test file, the real app on a
// loopback port, and an axe-core check that fails with a list a person can act on.
// No Playwright test runner: the journeys run under node:test like every other test.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Result } from 'axe-core';
import { buildTestApp, listen, type TestApp } from '../../test/helpers/app.ts';
import type { Role } from '../../src/domain/permissions.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp.ts';
import { createSmtpMailer } from '../../src/platform/mail/mailer.ts';
import { buildJobHandlers } from '../../src/composition.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../src/config.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_MISSING = "install Debian's chromium (apt-get install -y chromium)";

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Contexts made with JavaScript off: axe cannot run in their pages (see checkAccessibility). */
const scriptless = new WeakSet<BrowserContext>();

/**
 * Playwright's own `--disable-features` list (playwright-core's `chromiumSwitches.ts`, in the
 * version package-lock.json holds). Chromium obeys only the last `--disable-features` it is given,
 * so features are switched off beyond these by passing this list with them and asking Playwright to
 * leave its own out; `launchBrowser` checks the browser's command line lost none of them.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Switched off beyond Playwright's list: the address bar's popup, a WebUI page (two documents,
 * `chrome://omnibox-popup.top-chrome`) that Chromium prepares in a renderer of its own for every
 * window, and every context a journey opens is a window. No journey types into an address bar; it
 * cost ~1.1 s of Chromium's CPU a window, a third of what six windows of ten pages each cost
 * (bench/README.md, "Chromium without the address bar's popup"). Puppeteer leaves it off too.
 */
const MORE_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

const DISABLE_FEATURES = '--disable-features=';

/** Launches Debian's Chromium; throws (so the test fails, never skips) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`Chromium is not at ${executablePath}: ${CHROMIUM_MISSING}`);
  const before = new Set(chromiumChildren());
  const browser = await chromium.launch({
    executablePath,
    ignoreDefaultArgs: [`${DISABLE_FEATURES}${PLAYWRIGHT_DISABLED_FEATURES.join(',')}`],
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `${DISABLE_FEATURES}${[...PLAYWRIGHT_DISABLED_FEATURES, ...MORE_DISABLED_FEATURES].join(',')}`,
    ],
  });
  for (const pid of chromiumChildren().filter((pid) => !before.has(pid))) {
    const lost = featuresLost(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
    if (lost.length > 0) {
      await browser.close();
      throw new Error(
        `Chromium would run with ${lost.join(', ')} switched on: it obeys only its last ${DISABLE_FEATURES}, and an ` +
          `earlier one names them: Playwright's own if it has changed its list, or one from this machine's Chromium settings ` +
          `(/etc/chromium.d). Add them to PLAYWRIGHT_DISABLED_FEATURES in e2e/support/browser.ts.`,
      );
    }
  }
  return browser;
}

/**
 * The features an earlier `--disable-features` of this command line names that the last one, the
 * one Chromium obeys, does not: what would be switched on again unseen.
 */
export function featuresLost(commandLine: readonly string[]): string[] {
  const lists = commandLine
    .filter((arg) => arg.startsWith(DISABLE_FEATURES))
    .map((arg) => arg.slice(DISABLE_FEATURES.length).split(','));
  const obeyed = new Set(lists.at(-1) ?? []);
  return [...new Set(lists.slice(0, -1).flat())].filter((feature) => feature && !obeyed.has(feature));
}

/** The browsers this process has started (Debian's /usr/bin/chromium execs itself into the binary). */
function chromiumChildren(): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[1]) === process.pid && stat.includes('(chromium)');
      } catch {
        return false; // it ended meanwhile
      }
    })
    .map(Number);
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
 * longer than the 10 s every other step is allowed. The click that starts it is given as long: a
 * form's button (the board pack's "Download PDF") is a navigation, which Playwright's click waits
 * for until the response begins, and it timed out at 10 s under load (a suite of 28 minutes).
 */
export const DOWNLOAD_TIMEOUT = 60_000;

export async function startSession(
  options: {
    chromiumPath?: string;
    /** Signed in (cookie set) with these roles, or not at all. */ as?: readonly Role[] | false;
    /** E-mail goes through a real SMTP server started here, sent by a running job worker. */ mail?: boolean;
    /** Settings of the input limits (AMBER_MAX_…, AMBER_DIAGNOSTIC_BACKGROUND_KB) other than the defaults. */
    limits?: Partial<InputLimits>;
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
      services: {
        ...(smtp ? { mailer: createSmtpMailer({ url: smtp.url, from: 'Amber <amber@test.example>' }) } : {}),
        ...(options.limits ? { limits: { ...DEFAULT_INPUT_LIMITS, ...options.limits } } : {}),
      },
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
 * For a page whose JavaScript is off (axe needs timers, which do not run there), the page's
 * document, scripts removed, is served at the same URL to a scratch page that can run axe.
 */
export async function checkAccessibility(page: Page, label: string): Promise<void> {
  const off = scriptless.has(page.context());
  const html = await page.content();
  const passed = passedFor(page);
  const key = `${off ? 'no-js' : 'js'} ${new URL(page.url()).pathname} ${createHash('sha256')
    .update(html.replace(/ nonce="[^"]*"/g, ''))
    .digest('hex')}`;
  if (passed.has(key)) return;
  if (off) {
    const probe = await probeFor(page);
    probe.html = html.replace(/<script\b[\s\S]*?<\/script>/gi, '');
    await probe.page.goto(page.url());
    await runAxe(probe.page, `${label} (JavaScript off)`, page.url());
  } else {
    await runAxe(page, label, page.url());
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

/** One scratch page per browser, whose every navigation is answered with the document given. */
const probes = new WeakMap<Browser, Promise<{ page: Page; html: string }>>();
function probeFor(page: Page): Promise<{ page: Page; html: string }> {
  const browser = page.context().browser();
  if (!browser) throw new Error('the page has no browser');
  let probe = probes.get(browser);
  if (!probe) {
    probe = (async () => {
      const state = { page: await browser.newPage(), html: '' };
      await state.page.route('**/*', (route) =>
        route.request().isNavigationRequest()
          ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: state.html })
          : route.continue(),
      );
      return state;
    })();
    probes.set(browser, probe);
  }
  return probe;
}

/** axe-core's own build, injected as it is into each document checked. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core run in the page itself: its source evaluated once into the document (evaluation
 * bypasses the page's Content Security Policy, as a browser extension's would), then `axe.run` on
 * the whole document with the WCAG tags. Done by hand rather than with @axe-core/playwright's
 * AxeBuilder, whose legacy mode sent and compiled the 560 KB source twice per check and asked the
 * page three more questions: ~0.9 s of Chromium's CPU a check against ~0.55 s this way, on a suite
 * that checks a few hundred documents. The options are AxeBuilder's (`runOnly` by tag, violations
 * only) plus one: the `preload` of assets fetches and re-parses every stylesheet for the one rule
 * that reads the CSS object model (`css-orientation-lock`, experimental, so never run here); media
 * is still preloaded for `no-autoplay-audio`.
 */
async function runAxe(page: Page, label: string, url: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
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
