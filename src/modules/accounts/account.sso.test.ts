// The pure parts of single sign-on: which claim names the account, and reading the attempt
// cookie back (anything malformed is no attempt). The flow itself: test/sso.test.ts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAttempt, emailOf, encodeAttempt } from './account.sso.ts';

describe('emailOf', () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    [
      'takes the email claim',
      { email: 'lee@council.example', preferred_username: 'other@council.example' },
      'lee@council.example',
    ],
    [
      "falls back to Entra ID's preferred_username (the UPN) when there is no email",
      { preferred_username: 'Lee.Hemsworth@Council.Example' },
      'Lee.Hemsworth@Council.Example',
    ],
    [
      'falls back when the email claim is not an address',
      { email: '', preferred_username: 'lee@council.example' },
      'lee@council.example',
    ],
    ['ignores a preferred_username that is not an address', { preferred_username: 'lee.hemsworth' }, undefined],
    ['ignores claims that are not strings', { email: ['lee@council.example'] }, undefined],
    ['trims spaces', { email: ' lee@council.example ' }, 'lee@council.example'],
    ['finds nothing in no claims', {}, undefined],
  ];
  for (const [what, claims, expected] of cases) it(what, () => assert.equal(emailOf(claims), expected));
});

describe('the attempt cookie', () => {
  it('reads back what it wrote', () => {
    const attempt = { state: 's', nonce: 'n', codeVerifier: 'v', next: '/my-work' };
    assert.deepEqual(decodeAttempt(encodeAttempt(attempt)), attempt);
    assert.deepEqual(decodeAttempt(encodeAttempt({ state: 's', nonce: 'n', codeVerifier: 'v' })), {
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
    });
  });
  for (const [what, value] of [
    ['no cookie', undefined],
    ['an empty cookie', ''],
    ['not base64 JSON', 'not-json'],
    ['JSON that is not an attempt', Buffer.from('{"state":"s"}').toString('base64url')],
    ['an empty state', Buffer.from('{"state":"","nonce":"n","codeVerifier":"v"}').toString('base64url')],
    ['a huge cookie', 'x'.repeat(3000)],
  ] as const) {
    it(`reads ${what} as no attempt`, () => assert.equal(decodeAttempt(value), undefined));
  }
});
