// The demo organisation's ILLUSTRATIVE diagnostic exercise: a few org units and 30 posts, made
// up so a newcomer can explore the baseline. The figures describe no real council. Also the
// sample data of the tests and of the e2e journey's workbook (test/fixtures/diagnostic).

import type { ExerciseData, PostRecord } from './diagnostic.repository.ts';

export const DEMO_EXERCISE = {
  name: 'Back-office diagnostic 2009/10 (illustrative)',
  financialYear: '2009',
  runningCosts: '£412,000,000',
  headcount: '420',
};

const units: ExerciseData['units'] = [
  { code: 'RES', name: 'Resources', parentCode: null, centralFunctionCode: null, users: 120, areaM2: 2_400, row: 2 },
  {
    code: 'FIN',
    name: 'Central Finance',
    parentCode: 'RES',
    centralFunctionCode: 'FIN',
    users: 40,
    areaM2: 700,
    row: 3,
  },
  {
    code: 'HRS',
    name: 'Human Resources',
    parentCode: 'RES',
    centralFunctionCode: 'HR',
    users: 25,
    areaM2: 450,
    row: 4,
  },
  { code: 'ICT', name: 'ICT Services', parentCode: 'RES', centralFunctionCode: 'ICT', users: 30, areaM2: 500, row: 5 },
  {
    code: 'CS',
    name: 'Children’s Services',
    parentCode: null,
    centralFunctionCode: null,
    users: 150,
    areaM2: 3_000,
    row: 6,
  },
  {
    code: 'CS-BS',
    name: 'Children’s business support',
    parentCode: 'CS',
    centralFunctionCode: null,
    users: 20,
    areaM2: 300,
    row: 7,
  },
  {
    code: 'AS',
    name: 'Adult Services',
    parentCode: null,
    centralFunctionCode: null,
    users: 140,
    areaM2: 2_800,
    row: 8,
  },
  {
    code: 'ENV',
    name: 'Environment and Neighbourhoods',
    parentCode: null,
    centralFunctionCode: null,
    users: 90,
    areaM2: 1_900,
    row: 9,
  },
];

type Alloc = [string, number];
const p = (
  code: string,
  unitCode: string,
  title: string,
  grade: string,
  fte: number,
  pounds: number,
  managerCode: string | null,
  allocations: Alloc[],
  vacant = false,
): Omit<PostRecord, 'row'> => ({
  code,
  unitCode,
  title,
  grade,
  fte: Math.round(fte * 10_000),
  payCost: pounds * 100,
  managerCode,
  vacant,
  contractType: 'Permanent',
  allocations: allocations.map(([processCode, pct]) => ({ processCode, pct: Math.round(pct * 100) })),
});

const posts: Omit<PostRecord, 'row'>[] = [
  p('P001', 'RES', 'Director of Resources', 'Director', 1, 118_000, null, [
    ['X01', 50],
    ['FIN-PB', 20],
    ['POL-POL', 30],
  ]),
  p('P002', 'FIN', 'Head of Finance', 'SM1', 1, 86_000, 'P001', [
    ['X01', 40],
    ['FIN-PB', 30],
    ['FIN-ACC', 30],
  ]),
  p('P003', 'FIN', 'Finance business partner', 'PO6', 1, 52_000, 'P002', [
    ['FIN-BP', 70],
    ['FIN-MR', 30],
  ]),
  p('P004', 'FIN', 'Finance business partner', 'PO6', 1, 52_000, 'P002', [
    ['FIN-BP', 60],
    ['FIN-PB', 40],
  ]),
  p('P005', 'FIN', 'Accountant', 'PO3', 1, 44_000, 'P002', [
    ['FIN-ACC', 60],
    ['FIN-CAP', 20],
    ['FIN-TAX', 20],
  ]),
  p('P006', 'FIN', 'Payments team leader', 'SO2', 1, 36_000, 'P002', [
    ['X01', 30],
    ['FIN-AP', 70],
  ]),
  p('P007', 'FIN', 'AP clerk', 'Scale 4', 1, 28_000, 'P006', [['FIN-AP', 100]]),
  p('P008', 'FIN', 'AP clerk', 'Scale 4', 0.8, 22_400, 'P006', [['FIN-AP', 100]]),
  p('P009', 'FIN', 'Income officer', 'Scale 5', 1, 30_000, 'P006', [['FIN-AR', 100]]),
  p('P010', 'FIN', 'Payroll officer', 'Scale 5', 1, 30_000, 'P006', [['FIN-PAY', 100]]),
  p('P011', 'HRS', 'Head of HR', 'SM1', 1, 82_000, 'P001', [
    ['X01', 40],
    ['HR-STR', 40],
    ['HR-OD', 20],
  ]),
  p('P012', 'HRS', 'HR adviser', 'PO2', 1, 40_000, 'P011', [
    ['HR-CAS', 70],
    ['HR-REW', 30],
  ]),
  p('P013', 'HRS', 'HR adviser', 'PO2', 0.6, 24_000, 'P011', [
    ['HR-CAS', 50],
    ['HR-HS', 50],
  ]),
  p('P014', 'HRS', 'Recruitment officer', 'Scale 5', 1, 30_000, 'P011', [
    ['HR-REC', 80],
    ['HR-REC-ADM', 20],
  ]),
  p('P015', 'HRS', 'Learning and development officer', 'SO1', 1, 34_000, 'P011', [['HR-LD', 100]]),
  p('P016', 'ICT', 'Head of ICT', 'SM1', 1, 84_000, 'P001', [
    ['X01', 40],
    ['ICT-STR', 60],
  ]),
  p('P017', 'ICT', 'Service desk analyst', 'Scale 6', 1, 31_000, 'P016', [['ICT-SD', 100]]),
  p('P018', 'ICT', 'Service desk analyst', 'Scale 6', 1, 31_000, 'P016', [
    ['ICT-SD', 80],
    ['ICT-INF', 20],
  ]),
  p('P019', 'ICT', 'Infrastructure engineer', 'PO3', 1, 45_000, 'P016', [
    ['ICT-INF', 70],
    ['ICT-SEC', 30],
  ]),
  p('P020', 'ICT', 'Applications developer', 'PO3', 1, 45_000, 'P016', [['ICT-APP', 100]], true),
  p('P021', 'CS', 'Director of Children’s Services', 'Director', 1, 120_000, null, [
    ['X01', 60],
    ['Z99', 40],
  ]),
  p('P022', 'CS-BS', 'Business support manager', 'SO2', 1, 38_000, 'P021', [
    ['X01', 30],
    ['BSA-BSA', 40],
    ['FIN-PB', 30],
  ]),
  p('P023', 'CS-BS', 'Finance officer', 'Scale 6', 1, 38_000, 'P022', [
    ['FIN-AP', 60],
    ['FIN-PB', 20],
    ['Z99', 20],
  ]),
  p('P024', 'CS-BS', 'Business support officer', 'Scale 4', 1, 26_000, 'P022', [
    ['BSA-BSA', 50],
    ['HR-REC', 20],
    ['Z99', 30],
  ]),
  p('P025', 'CS', 'Social worker', 'PO4', 1, 46_000, 'P021', [['Z99', 100]]),
  p('P026', 'AS', 'Director of Adult Services', 'Director', 1, 118_000, null, [
    ['X01', 60],
    ['Z99', 40],
  ]),
  p('P027', 'AS', 'Business support', 'Scale 4', 0.8, 24_000, 'P026', [
    ['FIN-AP', 40],
    ['HR-REC', 30],
    ['Z99', 30],
  ]),
  p('P028', 'AS', 'Care manager', 'PO3', 1, 44_000, 'P026', [['Z99', 100]]),
  p('P029', 'ENV', 'Director of Environment', 'Director', 1, 115_000, null, [
    ['X01', 60],
    ['Z99', 40],
  ]),
  p('P030', 'ENV', 'Admin officer', 'Scale 4', 1, 25_000, 'P029', [
    ['BSA-BSA', 40],
    ['FIN-AP', 30],
    ['CC-PH', 30],
  ]),
];

export const DEMO_DATA: ExerciseData = {
  units,
  posts: posts.map((post, i) => ({ ...post, row: i + 2 })),
  nonPay: [
    {
      category: 'it',
      description: 'Finance system licence',
      amount: 180_000_00,
      processCode: null,
      functionCode: 'FIN',
      unitCode: null,
      basis: 'fte',
      row: 2,
    },
    {
      category: 'it',
      description: 'HR and payroll system',
      amount: 95_000_00,
      processCode: 'FIN-PAY',
      functionCode: null,
      unitCode: null,
      basis: 'fte',
      row: 3,
    },
    {
      category: 'outsourcing',
      description: 'Out-of-hours service desk contract',
      amount: 60_000_00,
      processCode: 'ICT-SD',
      functionCode: null,
      unitCode: null,
      basis: 'fte',
      row: 4,
    },
    {
      category: 'accommodation',
      description: 'Civic centre (Resources floors)',
      amount: 240_000_00,
      processCode: null,
      functionCode: null,
      unitCode: 'RES',
      basis: 'area',
      row: 5,
    },
    {
      category: 'recruitment',
      description: 'Job advertising',
      amount: 35_000_00,
      processCode: 'HR-REC',
      functionCode: null,
      unitCode: null,
      basis: 'fte',
      row: 6,
    },
    {
      category: 'supplies',
      description: 'Printing and stationery',
      amount: 48_000_00,
      processCode: null,
      functionCode: null,
      unitCode: null,
      basis: 'fte',
      row: 7,
    },
    {
      category: 'outsourcing',
      description: 'Internal audit contract',
      amount: 120_000_00,
      processCode: 'AUD-AUD',
      functionCode: null,
      unitCode: null,
      basis: 'fte',
      row: 8,
    },
  ],
  volumes: [
    { processCode: 'FIN-AP', volume: 96_000, driver: 'invoices paid', row: 10 },
    { processCode: 'FIN-AR', volume: 21_000, driver: 'invoices raised', row: 11 },
    { processCode: 'FIN-PAY', volume: 50_400, driver: 'payslips', row: 12 },
    { processCode: 'HR-REC', volume: 310, driver: 'posts filled', row: 14 },
    { processCode: 'ICT-SD', volume: 18_500, driver: 'calls', row: 21 },
  ],
};
