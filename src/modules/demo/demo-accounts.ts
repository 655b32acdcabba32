// The demo's accounts: one per role, with passwords that are public on purpose (README, the
// sign-in page outside production, `amber demo`). The people they are come from the seed:
// Lee Hemsworth is VfM-4d's accountable officer, James Rogers its accountable director, Arfan
// Hanif a contributor named on three of its key actions. A test checks each hash matches its password.

import type { Role } from '../../domain/permissions.ts';

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
  /** The argon2id hash of `password`, made once: loading the demo need not spend ~50 ms per account. */
  passwordHash: string;
  name: string;
  /** The seed person (vfm-4d.ts key) the account is, if any. */
  person?: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    role: 'administrator',
    email: 'admin@demo.amber.example',
    password: 'amber-demo-admin',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$GiGHHwk0lSH4ERV8UXZToA$9ls1vuJ14pGOURob8wvS5XBu61cPhQAcen/8+xdKyx8',
    name: 'Demo Administrator',
  },
  {
    role: 'performance_officer',
    email: 'performance@demo.amber.example',
    password: 'amber-demo-performance',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$KQtKQpVKDp5QsTacwsnXBw$YWv+wBdh56O5rZ2GtIA87ue20hQp9e/cn3R+4zeSJxg',
    name: 'Demo Performance Officer',
  },
  {
    role: 'accountable_officer',
    email: 'lee.hemsworth@demo.amber.example',
    password: 'amber-demo-officer',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$0arBffXwzkr7cPD01A39MQ$HoulzUkf5Vfwzfov/b6yR085OweA1EZd0ng5Qr+xFQs',
    name: 'Lee Hemsworth',
    person: 'hemsworth',
  },
  {
    role: 'accountable_director',
    email: 'james.rogers@demo.amber.example',
    password: 'amber-demo-director',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$DJVMXshvGRbYCk5DSrUonA$9cuKRCSDYR/e4uRg7KaaHxCJjbuXaAJR4tIfmtsZ3Eo',
    name: 'James Rogers',
    person: 'rogers',
  },
  {
    role: 'contributor',
    email: 'arfan.hanif@demo.amber.example',
    password: 'amber-demo-contributor',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$n3ByQP2bSMIInyQtYdkieQ$4K1W2CfI01m59/wLB7yOq94BSMgrsY46vstEUTVC6ag',
    name: 'Arfan Hanif',
    person: 'hanif',
  },
  {
    role: 'viewer',
    email: 'scrutiny@demo.amber.example',
    password: 'amber-demo-viewer',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$C4ObiVeboGJ+1KcW9U6xQA$zpDblU4CPlAQ6Z9YeKEHmUMVsxYPmGB5umTrRCAyroE',
    name: 'Demo Scrutiny Member',
  },
];

/**
 * The demo's partners' accounts (issue 11): Local Partnerships and PwC run Amber in the same
 * deployment; Leeds shares VfM-4d with them. Each signs in to its own organisation.
 */
export interface DemoPartnerAccount extends DemoAccount {
  /** The slug of the organisation the account belongs to. */
  organisation: 'local-partnerships' | 'pwc';
}

export const DEMO_PARTNER_ACCOUNTS: readonly DemoPartnerAccount[] = [
  {
    role: 'contributor',
    organisation: 'local-partnerships',
    email: 'decats@localpartnerships.demo.amber.example',
    password: 'amber-demo-partnerships',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$vLeet7K7dytI05LNxOaJnA$S1KRkcYy9B+AsCkOK6WVt6sXO+Wbax4JucgGWe3koMo',
    name: 'Demo DECATS Programme Lead',
  },
  {
    role: 'viewer',
    organisation: 'pwc',
    email: 'diagnostic@pwc.demo.amber.example',
    password: 'amber-demo-pwc',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$gnGvH4wYPf+JXvC0MWPdig$aFqpvgMeKI3hTHQbIDupFwKnGUu67qv2sA/5PxvB+RE',
    name: 'Demo Diagnostic Consultant',
  },
];
