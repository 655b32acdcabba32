// A joint priority's partners' sign-offs as the report view holds them (issue 11), for the
// renderers' tests: one partner signed, one awaited.

import type { ReportView } from '../../src/render/report-view.ts';

export const JOINT_SIGN_OFFS: NonNullable<ReportView['jointSignOffs']> = [
  {
    organisation: 'Local Partnerships',
    roleLabel: 'Joint owner – accountable officer: Jo Bloggs',
    signed: true,
    decisionLabel: 'Approved by',
    name: 'Jo Bloggs',
    date: '20 April 2010',
    dateIso: '2010-04-20',
    time: '12:00 UTC',
    comment: 'Agreed for Local Partnerships',
  },
  {
    organisation: 'PricewaterhouseCoopers LLP',
    roleLabel: 'Joint owner – accountable officer: Sam Partner',
    signed: false,
    decisionLabel: 'Awaiting sign-off',
    name: '',
    date: '',
    dateIso: '',
    comment: '',
  },
];
