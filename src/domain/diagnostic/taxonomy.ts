// The default process taxonomy of DIAGNOSTIC.md §2, shipped with Amber as a released version
// that is never changed: an organisation that needs more extends it as a new version of its own.
// Codes are stable identifiers used in the templates organisations fill in (FIN-AP, HR-REC...).

import type { ProcessType, Taxonomy, TaxonomyProcess } from './baseline.ts';

/** The fixed id of the shipped version, so every installation refers to the same one. */
export const DEFAULT_TAXONOMY_ID = '00000000-0000-4000-8000-00000000d1a6';
export const DEFAULT_TAXONOMY_NAME = 'Amber default taxonomy, version 1';

type Row = [code: string, name: string, type: ProcessType, volumeDriver?: string];

const FUNCTIONS: [code: string, name: string, processes: Row[]][] = [
  [
    'FIN',
    'Finance',
    [
      ['FIN-PB', 'Planning and budgeting', 'S'],
      ['FIN-BP', 'Business partnering', 'P'],
      ['FIN-TRE', 'Treasury', 'P'],
      ['FIN-INS', 'Insurance', 'P'],
      ['FIN-ACC', 'Accounting and close', 'P'],
      ['FIN-MR', 'Management reporting', 'P'],
      ['FIN-TAX', 'Tax', 'P'],
      ['FIN-CAP', 'Capital accounting', 'P'],
      ['FIN-AP', 'Accounts payable', 'T', 'invoices paid'],
      ['FIN-AR', 'Accounts receivable', 'T', 'invoices raised'],
      ['FIN-PAY', 'Payroll', 'T', 'payslips'],
    ],
  ],
  [
    'HR',
    'Human resources',
    [
      ['HR-STR', 'HR strategy', 'S'],
      ['HR-REC', 'Recruitment', 'T', 'posts filled'],
      ['HR-REC-ADM', 'Records and administration', 'T', 'employees'],
      ['HR-CAS', 'Casework', 'P', 'cases'],
      ['HR-REW', 'Reward', 'P'],
      ['HR-LD', 'Learning and development', 'P', 'training days'],
      ['HR-OD', 'Organisational development', 'S'],
      ['HR-HS', 'Health and safety', 'P'],
    ],
  ],
  [
    'ICT',
    'ICT',
    [
      ['ICT-STR', 'ICT strategy', 'S'],
      ['ICT-SD', 'Service desk', 'T', 'calls'],
      ['ICT-INF', 'Infrastructure', 'P', 'users'],
      ['ICT-APP', 'Applications', 'P'],
      ['ICT-SEC', 'Security', 'P'],
      ['ICT-IM', 'Information management', 'P'],
    ],
  ],
  [
    'PROC',
    'Procurement',
    [
      ['PROC-STR', 'Procurement strategy', 'S'],
      ['PROC-SRC', 'Sourcing', 'P', 'tenders'],
      ['PROC-PO', 'Purchase ordering', 'T', 'purchase orders'],
      ['PROC-CM', 'Contract management', 'P', 'contracts'],
    ],
  ],
  [
    'PROP',
    'Property',
    [
      ['PROP-STR', 'Property strategy', 'S'],
      ['PROP-MGT', 'Property management', 'P', 'properties'],
      ['PROP-MNT', 'Maintenance', 'T', 'jobs'],
      ['PROP-FAC', 'Facilities', 'T', 'm²'],
    ],
  ],
  [
    'LEG',
    'Legal and democratic',
    [
      ['LEG-LEG', 'Legal', 'P', 'matters'],
      ['LEG-COM', 'Committee services', 'P', 'meetings'],
      ['LEG-IG', 'Information governance', 'P', 'requests'],
    ],
  ],
  ['COMM', 'Communications', [['COMM-COM', 'Communications', 'P']]],
  ['AUD', 'Audit and risk', [['AUD-AUD', 'Audit and risk', 'P', 'audit days']]],
  ['POL', 'Policy and performance', [['POL-POL', 'Policy and performance', 'S']]],
  [
    'CC',
    'Customer contact',
    [
      ['CC-PH', 'Telephone contact', 'T', 'calls'],
      ['CC-F2F', 'Face-to-face contact', 'T', 'visits'],
      ['CC-DIG', 'Digital contact', 'T', 'transactions'],
      ['CC-CMP', 'Complaints', 'P', 'complaints'],
    ],
  ],
  [
    'RB',
    'Revenues and benefits',
    [
      ['RB-CT', 'Council tax', 'T', 'properties billed'],
      ['RB-NDR', 'Business rates', 'T', 'hereditaments billed'],
      ['RB-BEN', 'Benefit assessment', 'T', 'claims'],
      ['RB-OP', 'Overpayments', 'T', 'overpayments'],
    ],
  ],
  ['BSA', 'Business support and administration', [['BSA-BSA', 'Business support and administration', 'T']]],
];

export const DEFAULT_TAXONOMY: Taxonomy = {
  functions: FUNCTIONS.map(([code, name]) => ({ code, name })),
  processes: FUNCTIONS.flatMap(([functionCode, , rows]) =>
    rows.map(([code, name, type, volumeDriver]): TaxonomyProcess => ({
      code,
      name,
      functionCode,
      type,
      ...(volumeDriver ? { volumeDriver } : {}),
    })),
  ),
};

/** A short taxonomy problem list: codes unique, every process in a known function. */
export function checkTaxonomy(t: Taxonomy): string[] {
  const problems: string[] = [];
  const fns = new Set<string>();
  for (const f of t.functions) {
    if (fns.has(f.code)) problems.push(`Function ${f.code} appears twice`);
    fns.add(f.code);
  }
  const procs = new Set<string>();
  for (const p of t.processes) {
    if (procs.has(p.code) || fns.has(p.code)) problems.push(`Code ${p.code} appears twice`);
    procs.add(p.code);
    if (!fns.has(p.functionCode))
      problems.push(`Process ${p.code} belongs to ${p.functionCode}, which is not a function`);
    if (p.code === 'X01' || p.code === 'Z99') problems.push(`${p.code} is reserved for time outside the back office`);
  }
  return problems;
}
