// Signing in as a new user would: the sign-in page (a refused first try, then the right
// password), the person's account page with a new API token (refused until its access is
// chosen, then read only for 30 days), an administrator inviting a
// user (with no mail server, so shown the link to pass on), the forgotten-password page, and signing out. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { Screen } from './pages/screen.ts';
import { demoAccount } from './support/sign-in.ts';
import { paths } from '../src/paths.ts';

describe('signing in, accounts and users in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession({ as: false });
  });
  after(async () => {
    await session?.close();
  });

  it('sends a visitor to sign in, refuses a wrong password, signs in and returns to the page asked for', async () => {
    const { page } = session;
    const signIn = await new Screen(page, 'Sign in to Amber', 'SignInPage').visit(paths.priorities.show('VfM-4d'));
    assert.match(page.url(), /\/sign-in\?next=%2Fpriorities%2FVfM-4d$/);
    const admin = demoAccount('administrator');
    await page.locator('#email').fill(admin.email);
    await page.locator('#password').fill('not the password');
    const refused = await signIn.submit('Sign in', new Screen(page, 'Sign in to Amber', 'SignInRefused'));
    const errors = await refused.verifyRefused();
    assert.deepEqual(
      errors.map((e) => e.text),
      ['Enter a correct e-mail address and password'],
    );
    assert.equal(await page.locator('#email').inputValue(), admin.email, 'the address is kept');
    await page.locator('#password').fill(admin.password);
    const priority = await refused.submit('Sign in', new Screen(page, /^VfM-4d /, 'PriorityPage'));
    assert.match(await page.locator('[data-qa="signed-in-as"]').innerText(), /Demo Administrator/);

    // Your account: a personal token, shown once
    const account = await priority.follow(
      page.getByRole('link', { name: 'Your account', exact: true }),
      new Screen(page, 'Your account', 'AccountPage'),
    );
    await page.locator('#name').fill('Nightly upload');
    const noScope = await account.submit('Create token', new Screen(page, 'Your account', 'TokenRefused'));
    assert.deepEqual(
      (await noScope.verifyRefused()).map((e) => `${e.href} ${e.text}`),
      ['#scope Select what the token may do'],
    );
    assert.equal(await page.locator('#name').inputValue(), 'Nightly upload', 'the name is kept');
    await page.getByLabel('Read only', { exact: true }).check();
    await page.locator('#expiresInDays').selectOption('30');
    const withToken = await noScope.submit('Create token', new Screen(page, 'Your account', 'AccountWithToken'));
    assert.match(await withToken.qa('new-token').innerText(), /amber_[0-9a-f]{8}_/);
    assert.match(await withToken.qa('tokens').innerText(), /Nightly upload\s+amber_[0-9a-f]{8}_…\s+Read only/);

    // Users: invite someone (a refused first try, then a good one)
    const users = await withToken.follow(
      page.getByRole('link', { name: 'Users', exact: true }),
      new Screen(page, 'Users', 'UsersPage'),
    );
    assert.match(await users.qa('users').innerText(), /lee\.hemsworth@demo\.amber\.example/);
    const invite = await users.follow(users.qa('invite'), new Screen(page, 'Invite a user', 'InviteForm'));
    const inviteRefused = await invite.submit('Send invitation', new Screen(page, 'Invite a user', 'InviteRefused'));
    assert.deepEqual(
      (await inviteRefused.verifyRefused()).map((e) => e.href),
      ['#email', '#name', '#roles'],
    );
    await page.locator('#email').fill('iain.dunn@leeds.example');
    await page.locator('#name').fill('Iain Dunn');
    await page.getByLabel('Accountable officer', { exact: true }).check();
    await page.locator('#personId').selectOption({ label: 'Iain Dunn, Procurement Manager' });
    // This app has no mail server: the administrator is told so and given the link to pass on.
    const noMail = await inviteRefused.submit(
      'Send invitation',
      new Screen(page, 'No e-mail was sent: give Iain Dunn their invitation link', 'InvitationLink', 'no-mail'),
    );
    assert.match(await noMail.qa('invitation-link').inputValue(), /^http:\/\/localhost:\d+\/invitations\/[\w-]+$/);
    const invited = await noMail.follow(noMail.qa('done'), new Screen(page, 'Users', 'UsersAfterInvite'));
    assert.match(
      await invited.qa('users').innerText(),
      /Iain Dunn\s+iain\.dunn@leeds\.example\s+Accountable officer\s+Iain Dunn\s+Invited/,
    );
    await invited.follow(
      page.getByRole('link', { name: 'Security log' }),
      new Screen(page, 'Security log', 'SecurityLog'),
    );
    assert.match(await page.locator('[data-qa="security-log"]').innerText(), /signed in/);

    // Signing out ends the session: the next page asks to sign in again
    await page.locator('[data-qa="sign-out"]').click();
    await page.waitForURL(/\/sign-in\?notice=signed-out/);
    const out = await new Screen(page, 'Sign in to Amber', 'SignedOut').verifyOnPage();
    assert.match(await out.qa('notice').innerText(), /You have signed out/);
    const forgotten = await out.follow(
      out.qa('forgotten'),
      new Screen(page, 'Reset your password', 'ForgottenPassword'),
    );
    await page.locator('#email').fill(admin.email);
    const sent = await forgotten.submit('Send the link', new Screen(page, 'Check your e-mail', 'CheckYourEmail'));
    assert.match(
      await sent.qa('sent').innerText(),
      /If admin@demo\.amber\.example has an Amber account, we have sent it a link/,
    );
    const response = await page.goto(paths.users.list);
    assert.ok(response && /\/sign-in/.test(page.url()), 'signed out: users needs sign-in again');
  });
});
