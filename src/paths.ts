// Every URL Amber serves, in one place: routes register these patterns, templates and tests
// build links with these functions. URLs are lowercase kebab-case nouns.
//
// An organisation's pages live under its name (issue 11): `/o/leeds/priorities/VfM-4d`, so a link
// sent by e-mail opens in the organisation it is about. Routes are registered without the prefix
// (the app strips it before routing and remembers the organisation); a link built while a request
// acts for an organisation (`inOrganisation`) carries it. Deployment-wide pages (signing in, one's
// account, the API, the operator's pages, the accessibility statement, assets, the health checks, metrics)
// never do.

import { AsyncLocalStorage } from 'node:async_hooks';

const within = new AsyncLocalStorage<string>();

/** Runs `fn` with every organisation path it builds under `/o/SLUG` (a request, an e-mail about it). */
export function inOrganisation<T>(slug: string | null | undefined, fn: () => T): T {
  return slug ? within.run(slug, fn) : fn();
}

/** The prefix of an organisation's pages. */
export const organisationPrefix = (slug: string): string => `/o/${encodeURIComponent(slug)}`;

/** `/o/leeds/priorities` → { slug: 'leeds', rest: '/priorities' }; undefined for a deployment-wide URL. */
export function splitOrganisationUrl(url: string): { slug: string; rest: string } | undefined {
  const m = /^\/o\/([^/?#]{1,100})(.*)$/.exec(url);
  if (!m) return undefined;
  let slug: string;
  try {
    slug = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  const rest = m[2]!;
  return { slug, rest: rest === '' || rest.startsWith('?') ? `/${rest}` : rest };
}

const prefixNow = (path: string): string => {
  const slug = within.getStore();
  return slug ? `${organisationPrefix(slug)}${path === '/' ? '' : path}` || '/' : path;
};

// A segment starting with ':' is a route parameter (see `routes` below) and is left as it is.
const seg = (s: string | number) => (String(s).startsWith(':') ? String(s) : encodeURIComponent(String(s)));

const basePaths = {
  home: '/',
  /** The database answers (kept for what already polls it; see healthReady for a load balancer). */
  health: '/health',
  /** The process is up: no database (a liveness probe). */
  healthLive: '/health/live',
  /** The database answers and every migration of this version is applied (a readiness probe). */
  healthReady: '/health/ready',
  /** Prometheus metrics (text exposition format): loopback, or METRICS_TOKEN as a bearer token. */
  metrics: '/metrics',
  dashboard: '/dashboard',
  /** The dashboard's lists, whole, a page at a time (the dashboard shows the first few of each). */
  dashboardLists: {
    'status-changes': '/dashboard/status-changes',
    'overdue-milestones': '/dashboard/overdue-milestones',
    'indicators-off-target': '/dashboard/indicators-off-target',
  },
  /** What the signed-in person has to do: reports to write and sign off, milestones due (issue 3). */
  myWork: '/my-work',
  boardPack: {
    show: '/board-pack',
    pdf: '/board-pack.pdf',
    docx: '/board-pack.docx',
    /** A download of the pack for a period and, optionally, a theme (its id). */
    download: (format: 'pdf' | 'docx', period: string, theme?: string) =>
      `/board-pack.${format}?${new URLSearchParams({ period, ...(theme ? { theme } : {}) }).toString()}`,

    /** Queues the PDF and Word files of the pack as a background job (POST; period and theme in the form). */
    generate: '/board-pack/files',
  },
  /** A background job's progress page, and a file a job stored (issue 4). */
  jobs: { show: (id: string) => `/jobs/${seg(id)}` },
  files: { show: (id: string) => `/files/${seg(id)}` },
  openData: {
    index: '/open-data',
    priorities: (format: 'csv' | 'json') => `/open-data/priority-statuses.${format}`,
    indicators: (format: 'csv' | 'json') => `/open-data/indicator-values.${format}`,
  },
  assets: '/assets',
  /**
   * The accessibility statement (Public Sector Bodies Accessibility Regulations 2018): public,
   * deployment-wide, linked from every page's footer.
   */
  accessibility: '/accessibility',

  /** Sign-in and accounts (issue 3). */
  signIn: '/sign-in',
  signOut: '/sign-out',
  sso: { start: '/sign-in/sso', callback: '/sign-in/sso/callback' },
  password: {
    forgotten: '/password/forgotten',
    reset: (token: string) => `/password/reset/${seg(token)}`,
  },
  invitations: { show: (token: string) => `/invitations/${seg(token)}` },
  account: {
    show: '/account',
    password: '/account/password',
    tokens: '/account/tokens',
    revokeToken: (id: string) => `/account/tokens/${seg(id)}/revoke`,
  },
  users: {
    list: '/users',
    invite: '/users/invite',
    show: (id: string) => `/users/${seg(id)}`,
    resendInvitation: (id: string) => `/users/${seg(id)}/invitation`,
    securityLog: '/users/security-log',
  },

  priorities: {
    list: '/priorities',
    new: '/priorities/new',
    show: (code: string) => `/priorities/${seg(code)}`,
    edit: (code: string) => `/priorities/${seg(code)}/edit`,
  },
  reports: {
    new: (code: string) => `/priorities/${seg(code)}/reports/new`,
    create: (code: string) => `/priorities/${seg(code)}/reports`,
    show: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}`,
    edit: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/edit`,
    download: (code: string, period: string, format: 'pdf' | 'docx' | 'html' | 'json') =>
      `/priorities/${seg(code)}/reports/${seg(period)}/download/${format}`,
    actions: {
      new: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/actions/new`,
      create: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/actions`,
      edit: (code: string, period: string, n: number | string) =>
        `/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}/edit`,
      update: (code: string, period: string, n: number | string) =>
        `/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}`,
      move: (code: string, period: string, n: number | string) =>
        `/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}/move`,
      delete: (code: string, period: string, n: number | string) =>
        `/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}/delete`,
    },
    milestoneProgress: (code: string, period: string, milestoneId: string) =>
      `/priorities/${seg(code)}/reports/${seg(period)}/milestones/${seg(milestoneId)}/progress`,
    graphs: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/graphs`,
    /** The workflow (issue 3): submit (POST), the sign-off page (approve or return with a comment). */
    submit: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/submit`,
    signOff: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/sign-off`,
    /** Every revision, one revision, what changed between two, and since the previous period's report. */
    revisions: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/revisions`,
    revision: (code: string, period: string, n: number | string) =>
      `/priorities/${seg(code)}/reports/${seg(period)}/revisions/${n}`,
    compare: (code: string, period: string, from?: number | string, to?: number | string) =>
      `/priorities/${seg(code)}/reports/${seg(period)}/changes${from !== undefined && to !== undefined ? `?from=${encodeURIComponent(String(from))}&to=${encodeURIComponent(String(to))}` : ''}`,
    sinceLastPeriod: (code: string, period: string) =>
      `/priorities/${seg(code)}/reports/${seg(period)}/since-last-period`,
  },
  /** The audit trail (issue 3): per report, per priority (with CSV), and the organisation's export. */
  history: {
    report: (code: string, period: string) => `/priorities/${seg(code)}/reports/${seg(period)}/history`,
    priority: (code: string) => `/priorities/${seg(code)}/history`,
    priorityCsv: (code: string) => `/priorities/${seg(code)}/history.csv`,
    audit: '/audit-trail',
    auditCsv: (from?: string, to?: string) =>
      `/audit-trail.csv${from || to ? `?${new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString()}` : ''}`,
  },
  indicators: {
    list: '/indicators',
    new: '/indicators/new',
    show: (code: string) => `/indicators/${seg(code)}`,
    edit: (code: string) => `/indicators/${seg(code)}/edit`,
    values: (code: string) => `/indicators/${seg(code)}/values`,
    status: (code: string) => `/indicators/${seg(code)}/status`,
    /** Values of one financial year as CSV or XLSX (issue 4): the upload page, downloads, the blank template. */
    import: '/indicators/import',
    /** The organisation's names for the columns of its files (issue 13): mapped once, changeable. */
    importColumns: '/indicators/import/columns',
    exportCsv: (year: number | string) => `/indicators/export.csv?year=${encodeURIComponent(String(year))}`,
    exportXlsx: (year: number | string) => `/indicators/export.xlsx?year=${encodeURIComponent(String(year))}`,
    templateCsv: '/indicators/template.csv',
    templateXlsx: '/indicators/template.xlsx',
    /** Definitions as CSV or XLSX (issue 4): the upload page, the downloads, the template with one example row. */
    definitionsImport: '/indicators/definitions/import',
    definitionsCsv: '/indicators/definitions.csv',
    definitionsXlsx: '/indicators/definitions.xlsx',
    definitionsTemplateXlsx: '/indicators/definitions-template.xlsx',
  },
  risks: {
    /** The organisation's register and heat map; filters in the query string (priority, rating, likelihood, impact, show). */
    list: '/risks',
    new: '/risks/new',
    edit: (id: string) => `/risks/${seg(id)}/edit`,
    forPriority: (code: string) => `/priorities/${seg(code)}/risks`,
  },
  plans: {
    list: '/plans',
    new: '/plans/new',
    edit: (id: string) => `/plans/${seg(id)}/edit`,
    newTheme: (planId: string) => `/plans/${seg(planId)}/themes/new`,
    createTheme: (planId: string) => `/plans/${seg(planId)}/themes`,
    editTheme: (id: string) => `/themes/${seg(id)}/edit`,
    deleteTheme: (id: string) => `/themes/${seg(id)}/delete`,
  },
  people: {
    list: '/people',
    new: '/people/new',
    edit: (id: string) => `/people/${seg(id)}/edit`,
    delete: (id: string) => `/people/${seg(id)}/delete`,
  },
  organisations: {
    list: '/organisations',
    new: '/organisations/new',
    edit: (id: string) => `/organisations/${seg(id)}/edit`,
    delete: (id: string) => `/organisations/${seg(id)}/delete`,
  },
  periods: {
    list: '/reporting-periods',
    new: '/reporting-periods/new',
    edit: (key: string) => `/reporting-periods/${seg(key)}/edit`,
    delete: (key: string) => `/reporting-periods/${seg(key)}/delete`,
  },
  statusScale: {
    edit: '/settings/status-scale',
  },
  indicatorDefaults: {
    edit: '/settings/indicators',
  },
  diagnostic: {
    /** Efficiency diagnostic exercises (issue 5): data collection and the baseline. */
    list: '/diagnostic',
    new: '/diagnostic/new',
    /** Extending a taxonomy as the organisation's own new version. */
    taxonomies: '/diagnostic/taxonomies',
    taxonomyNew: '/diagnostic/taxonomies/new',
    show: (id: string) => `/diagnostic/${seg(id)}`,
    edit: (id: string) => `/diagnostic/${seg(id)}/edit`,
    /** Issue 12: deleting an exercise says what goes with it, and is refused while its programme stands on it. */
    delete: (id: string) => `/diagnostic/${seg(id)}/delete`,
    template: (id: string) => `/diagnostic/${seg(id)}/template.xlsx`,
    data: (id: string) => `/diagnostic/${seg(id)}/data.xlsx`,
    upload: (id: string) => `/diagnostic/${seg(id)}/upload`,
    /** A big upload's progress while a background job checks and writes it (issue 12). */
    uploadJob: (id: string, jobId: string) => `/diagnostic/${seg(id)}/uploads/${seg(jobId)}`,
    quality: (id: string) => `/diagnostic/${seg(id)}/data-quality`,
    posts: (id: string) => `/diagnostic/${seg(id)}/posts`,
    post: (id: string, postId: string) => `/diagnostic/${seg(id)}/posts/${seg(postId)}`,
    baseline: (id: string) => `/diagnostic/${seg(id)}/baseline`,
    baselineFunction: (id: string, code: string) => `/diagnostic/${seg(id)}/baseline/functions/${seg(code)}`,
    baselineProcess: (id: string, code: string) => `/diagnostic/${seg(id)}/baseline/processes/${seg(code)}`,
    /** One table of the baseline as XLSX: functions, matrix, processes, units, spans, or function-CODE / process-CODE. */
    export: (id: string, table: string) => `/diagnostic/${seg(id)}/baseline/tables/${seg(table)}`,
  },

  efficiency: {
    /** The efficiency programme of an exercise after its baseline (issue 5, steps 4–8). */
    overview: (id: string) => `/diagnostic/${seg(id)}/programme`,
    benchmarks: (id: string) => `/diagnostic/${seg(id)}/benchmarks`,
    newBenchmark: (id: string) => `/diagnostic/${seg(id)}/benchmarks/new`,
    computedBenchmarks: (id: string) => `/diagnostic/${seg(id)}/benchmarks/computed`,
    editBenchmark: (id: string, benchmarkId: string) => `/diagnostic/${seg(id)}/benchmarks/${seg(benchmarkId)}/edit`,
    opportunities: (id: string) => `/diagnostic/${seg(id)}/opportunities`,
    newOpportunity: (id: string) => `/diagnostic/${seg(id)}/opportunities/new`,
    editOpportunity: (id: string, opportunityId: string) =>
      `/diagnostic/${seg(id)}/opportunities/${seg(opportunityId)}/edit`,
    /** Issue 12: removing an opportunity or a benchmark asks first, and is refused while something rests on it. */
    deleteOpportunity: (id: string, opportunityId: string) =>
      `/diagnostic/${seg(id)}/opportunities/${seg(opportunityId)}/delete`,
    deleteBenchmark: (id: string, benchmarkId: string) =>
      `/diagnostic/${seg(id)}/benchmarks/${seg(benchmarkId)}/delete`,
    cases: (id: string) => `/diagnostic/${seg(id)}/cases`,
    newCase: (id: string) => `/diagnostic/${seg(id)}/cases/new`,
    case: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}`,
    editCase: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}/edit`,
    caseOptions: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}/options`,
    caseLines: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}/lines`,
    approveCase: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}/approve`,
    /** Issue 12: removing a business case asks first, and is refused while a project is built on it. */
    deleteCase: (id: string, caseId: string) => `/diagnostic/${seg(id)}/cases/${seg(caseId)}/delete`,
    /** Issue 12: change or delete an option or a cash-flow line of a draft case (delete asks first). */
    editCaseOption: (id: string, caseId: string, optionId: string) =>
      `/diagnostic/${seg(id)}/cases/${seg(caseId)}/options/${seg(optionId)}/edit`,
    deleteCaseOption: (id: string, caseId: string, optionId: string) =>
      `/diagnostic/${seg(id)}/cases/${seg(caseId)}/options/${seg(optionId)}/delete`,
    editCaseLine: (id: string, caseId: string, lineId: string) =>
      `/diagnostic/${seg(id)}/cases/${seg(caseId)}/lines/${seg(lineId)}/edit`,
    deleteCaseLine: (id: string, caseId: string, lineId: string) =>
      `/diagnostic/${seg(id)}/cases/${seg(caseId)}/lines/${seg(lineId)}/delete`,
    caseDownload: (id: string, caseId: string, format: 'pdf' | 'docx') =>
      `/diagnostic/${seg(id)}/cases/${seg(caseId)}/business-case.${format}`,
    plan: (id: string) => `/diagnostic/${seg(id)}/plan`,
    newProject: (id: string) => `/diagnostic/${seg(id)}/plan/projects/new`,
    projects: (id: string) => `/diagnostic/${seg(id)}/plan/projects`,
    newMilestone: (id: string) => `/diagnostic/${seg(id)}/plan/milestones/new`,
    milestones: (id: string) => `/diagnostic/${seg(id)}/plan/milestones`,
    savings: (id: string) => `/diagnostic/${seg(id)}/savings`,
    newSaving: (id: string) => `/diagnostic/${seg(id)}/savings/new`,
    editSaving: (id: string, savingId: string) => `/diagnostic/${seg(id)}/savings/${seg(savingId)}/edit`,
    verifySaving: (id: string, savingId: string) => `/diagnostic/${seg(id)}/savings/${seg(savingId)}/verify`,
    gainShare: (id: string) => `/diagnostic/${seg(id)}/gain-share`,
    evaluate: (id: string, agreementId: string) => `/diagnostic/${seg(id)}/gain-share/${seg(agreementId)}/evaluations`,
    // Changing and removing plan, ledger and gain-share records (issue 12); each delete is a confirmation page (GET) and its form (POST).
    editProject: (id: string, projectId: string) => `/diagnostic/${seg(id)}/plan/projects/${seg(projectId)}/edit`,
    deleteProject: (id: string, projectId: string) => `/diagnostic/${seg(id)}/plan/projects/${seg(projectId)}/delete`,
    editMilestone: (id: string, milestoneId: string) =>
      `/diagnostic/${seg(id)}/plan/milestones/${seg(milestoneId)}/edit`,
    deleteMilestone: (id: string, milestoneId: string) =>
      `/diagnostic/${seg(id)}/plan/milestones/${seg(milestoneId)}/delete`,
    deleteSaving: (id: string, savingId: string) => `/diagnostic/${seg(id)}/savings/${seg(savingId)}/delete`,
    agreements: (id: string) => `/diagnostic/${seg(id)}/gain-share/agreements`,
    newAgreement: (id: string, preset?: 'A' | 'B') =>
      `/diagnostic/${seg(id)}/gain-share/agreements/new${preset ? `?preset=${preset}` : ''}`,
    editAgreement: (id: string, agreementId: string) =>
      `/diagnostic/${seg(id)}/gain-share/agreements/${seg(agreementId)}/edit`,
    deleteAgreement: (id: string, agreementId: string) =>
      `/diagnostic/${seg(id)}/gain-share/agreements/${seg(agreementId)}/delete`,
  },
  api: {
    openapi: '/api/openapi.json',
    docs: '/api',
    priorities: '/api/priorities',
    priority: (code: string) => `/api/priorities/${seg(code)}`,
    reports: (code: string) => `/api/priorities/${seg(code)}/reports`,
    report: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}`,
    actions: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/actions`,
    action: (code: string, period: string, n: number | string) =>
      `/api/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}`,
    actionMove: (code: string, period: string, n: number | string) =>
      `/api/priorities/${seg(code)}/reports/${seg(period)}/actions/${n}/move`,
    submit: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/submit`,
    approve: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/approve`,
    return: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/return`,
    revisions: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/revisions`,
    revision: (code: string, period: string, n: number | string) =>
      `/api/priorities/${seg(code)}/reports/${seg(period)}/revisions/${n}`,
    compare: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/changes`,
    reportHistory: (code: string, period: string) => `/api/priorities/${seg(code)}/reports/${seg(period)}/history`,
    priorityHistory: (code: string) => `/api/priorities/${seg(code)}/history`,
    milestoneProgress: (code: string, period: string, milestoneId: string) =>
      `/api/priorities/${seg(code)}/reports/${seg(period)}/milestones/${seg(milestoneId)}/progress`,
    people: '/api/people',
    person: (id: string) => `/api/people/${seg(id)}`,
    organisations: '/api/organisations',
    organisation: (id: string) => `/api/organisations/${seg(id)}`,
    periods: '/api/reporting-periods',
    plans: '/api/plans',
    plan: (id: string) => `/api/plans/${seg(id)}`,
    themes: (planId: string) => `/api/plans/${seg(planId)}/themes`,
    theme: (id: string) => `/api/themes/${seg(id)}`,
    statusScale: '/api/status-scale',
    statusScaleVersions: '/api/status-scale/versions',
    indicators: '/api/indicators',
    indicator: (code: string) => `/api/indicators/${seg(code)}`,
    indicatorValues: (code: string) => `/api/indicators/${seg(code)}/values`,
    indicatorStatus: (code: string) => `/api/indicators/${seg(code)}/status`,
    risks: '/api/risks',
    riskHeatMap: '/api/risks/heat-map',
    risk: (id: string) => `/api/risks/${seg(id)}`,
    priorityRisks: (code: string) => `/api/priorities/${seg(code)}/risks`,
    /** Issue 11: what other organisations share with the token's, and its benchmarking clubs' statistics. */
    sharedWithUs: '/api/shared-with-us',
    clubs: '/api/clubs',
    club: (id: string) => `/api/clubs/${seg(id)}`,
    /** Issue 11: the pages of sharing and clubs, as API operations (sharing.api.ts, club.api.ts). */
    sharingAgreements: '/api/sharing/agreements',
    sharingAgreement: (id: string) => `/api/sharing/agreements/${seg(id)}`,
    revokeSharingAgreement: (id: string) => `/api/sharing/agreements/${seg(id)}/revoke`,
    agreementShares: (id: string) => `/api/sharing/agreements/${seg(id)}/shares`,
    revokeShare: (shareId: string) => `/api/sharing/shares/${seg(shareId)}/revoke`,
    shareActions: (shareId: string) => `/api/sharing/shares/${seg(shareId)}/actions`,
    shareComments: (shareId: string, period: string) =>
      `/api/sharing/shares/${seg(shareId)}/reports/${seg(period)}/comments`,
    shareSections: (shareId: string, code: string) =>
      `/api/sharing/shares/${seg(shareId)}/priorities/${seg(code)}/sections`,
    sharedReport: (shareId: string, period: string) => `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}`,
    sharedMilestoneProgress: (shareId: string, period: string, milestoneId: string) =>
      `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}/milestones/${seg(milestoneId)}/progress`,
    sharedIndicator: (shareId: string, period: string, indicatorId: string) =>
      `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}/indicators/${seg(indicatorId)}`,
    sharedIndicatorValue: (shareId: string, period: string, indicatorId: string) =>
      `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}/indicators/${seg(indicatorId)}/value`,
    sharedComments: (shareId: string, period: string) =>
      `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}/comments`,
    sharedSignOff: (shareId: string, period: string) =>
      `/api/shared-with-us/${seg(shareId)}/reports/${seg(period)}/sign-off`,
    clubMembership: (id: string) => `/api/clubs/${seg(id)}/membership`,
    clubMembers: (id: string) => `/api/clubs/${seg(id)}/members`,
    clubJoin: (id: string) => `/api/clubs/${seg(id)}/join`,
    clubLeave: (id: string) => `/api/clubs/${seg(id)}/leave`,
    clubFigures: (id: string) => `/api/clubs/${seg(id)}/figures`,
    clubBaseline: (id: string) => `/api/clubs/${seg(id)}/contributions/baseline`,
    clubBaselineWithdraw: (id: string) => `/api/clubs/${seg(id)}/contributions/baseline/withdraw`,
    clubConsents: (id: string) => `/api/clubs/${seg(id)}/consents`,
    clubIndicator: (id: string) => `/api/clubs/${seg(id)}/contributions/indicator`,
    clubFigure: (figureId: string) => `/api/clubs/figures/${seg(figureId)}`,
    // Issue 12: the efficiency diagnostic and its programme (diagnostic.api.ts, efficiency.api.ts).
    exercises: '/api/diagnostic/exercises',
    /** The process taxonomy versions an exercise may use, and the clubs a computed benchmark may come from. */
    taxonomies: '/api/diagnostic/taxonomies',
    benchmarkClubs: '/api/diagnostic/benchmark-clubs',
    exercise: (id: string) => `/api/diagnostic/exercises/${seg(id)}`,
    exerciseBaseline: (id: string) => `/api/diagnostic/exercises/${seg(id)}/baseline`,
    exerciseQuality: (id: string) => `/api/diagnostic/exercises/${seg(id)}/data-quality`,
    exercisePosts: (id: string) => `/api/diagnostic/exercises/${seg(id)}/posts`,
    exercisePost: (id: string, postId: string) => `/api/diagnostic/exercises/${seg(id)}/posts/${seg(postId)}`,
    programme: (id: string) => `/api/diagnostic/exercises/${seg(id)}/programme`,
    benchmarks: (id: string) => `/api/diagnostic/exercises/${seg(id)}/benchmarks`,
    computedBenchmarks: (id: string) => `/api/diagnostic/exercises/${seg(id)}/benchmarks/computed`,
    benchmark: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/benchmarks/${seg(itemId)}`,
    opportunities: (id: string) => `/api/diagnostic/exercises/${seg(id)}/opportunities`,
    workOutOpportunity: (id: string) => `/api/diagnostic/exercises/${seg(id)}/opportunities/work-out`,
    opportunity: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/opportunities/${seg(itemId)}`,
    cases: (id: string) => `/api/diagnostic/exercises/${seg(id)}/cases`,
    case: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}`,
    approveCase: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/approve`,
    caseOptions: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/options`,
    caseOption: (id: string, itemId: string, subId: string) =>
      `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/options/${seg(subId)}`,
    caseLines: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/lines`,
    caseLine: (id: string, itemId: string, subId: string) =>
      `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/lines/${seg(subId)}`,
    implementationPlan: (id: string) => `/api/diagnostic/exercises/${seg(id)}/plan`,
    projects: (id: string) => `/api/diagnostic/exercises/${seg(id)}/plan/projects`,
    project: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/plan/projects/${seg(itemId)}`,
    milestones: (id: string) => `/api/diagnostic/exercises/${seg(id)}/plan/milestones`,
    milestone: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/plan/milestones/${seg(itemId)}`,
    savings: (id: string) => `/api/diagnostic/exercises/${seg(id)}/savings`,
    saving: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/savings/${seg(itemId)}`,
    verifySaving: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/savings/${seg(itemId)}/verify`,
    gainShare: (id: string) => `/api/diagnostic/exercises/${seg(id)}/gain-share`,
    gainSharePreset: (id: string) => `/api/diagnostic/exercises/${seg(id)}/gain-share/presets`,
    agreement: (id: string, itemId: string) => `/api/diagnostic/exercises/${seg(id)}/gain-share/${seg(itemId)}`,
    evaluations: (id: string, itemId: string) =>
      `/api/diagnostic/exercises/${seg(id)}/gain-share/${seg(itemId)}/evaluations`,
    // Issue 12: what the diagnostic's pages offer beyond the above — a taxonomy version's functions
    // and processes, the workbook upload (a job to poll) and every download the pages give.
    taxonomy: (taxonomyId: string) => `/api/diagnostic/taxonomies/${seg(taxonomyId)}`,
    exerciseUploads: (id: string) => `/api/diagnostic/exercises/${seg(id)}/uploads`,
    exerciseUpload: (id: string, jobId: string) => `/api/diagnostic/exercises/${seg(id)}/uploads/${seg(jobId)}`,
    exerciseTemplate: (id: string) => `/api/diagnostic/exercises/${seg(id)}/template.xlsx`,
    exerciseData: (id: string) => `/api/diagnostic/exercises/${seg(id)}/data.xlsx`,
    baselineTable: (id: string, table: string) => `/api/diagnostic/exercises/${seg(id)}/baseline/tables/${seg(table)}`,
    caseDocument: (id: string, itemId: string, format: 'pdf' | 'docx') =>
      `/api/diagnostic/exercises/${seg(id)}/cases/${seg(itemId)}/business-case.${format}`,
  },
  /** Data-sharing agreements and the priorities shared under them (issue 11), and what others share with us. */
  sharing: {
    list: '/sharing',
    newAgreement: '/sharing/agreements/new',
    agreements: '/sharing/agreements',
    agreement: (id: string) => `/sharing/agreements/${seg(id)}`,
    revokeAgreement: (id: string) => `/sharing/agreements/${seg(id)}/revoke`,
    newShare: (id: string) => `/sharing/agreements/${seg(id)}/shares/new`,
    shares: (id: string) => `/sharing/agreements/${seg(id)}/shares`,
    revokeShare: (id: string) => `/sharing/shares/${seg(id)}/revoke`,
    shareActions: (id: string) => `/sharing/shares/${seg(id)}/actions`,
    /** The conversation with the partner about a shared report (issue 11): its comments, and ours (POST). */
    shareReport: (id: string, period: string) => `/sharing/shares/${seg(id)}/reports/${seg(period)}`,
    shareComments: (id: string, period: string) => `/sharing/shares/${seg(id)}/reports/${seg(period)}/comments`,
    /**
     * Which sections of the shared priority's reports the partner sees (issue 11, item 3): the
     * report's editors keep them internal or share them again. The priority is in the address
     * because the right to change it is the report's (`report.edit`, own priorities for an
     * accountable officer); `period` (a query) is the report the page was opened from, to go back to.
     */
    shareSections: (id: string, code: string, period?: string) =>
      `/sharing/shares/${seg(id)}/priorities/${seg(code)}/sections${period ? `?period=${encodeURIComponent(period)}` : ''}`,
  },
  sharedWithUs: {
    list: '/shared-with-us',
    report: (shareId: string, period: string) => `/shared-with-us/${seg(shareId)}/reports/${seg(period)}`,
    milestone: (shareId: string, period: string, milestoneId: string) =>
      `/shared-with-us/${seg(shareId)}/reports/${seg(period)}/milestones/${seg(milestoneId)}`,
    /** A joint owner signs off the report (POST). */
    signOff: (shareId: string, period: string) => `/shared-with-us/${seg(shareId)}/reports/${seg(period)}/sign-off`,
    /** A partner enters the value of an indicator it supplies (issue 11); `valuePeriod` picks the period within the report's. */
    indicator: (shareId: string, period: string, indicatorId: string, valuePeriod?: string) =>
      `/shared-with-us/${seg(shareId)}/reports/${seg(period)}/indicators/${seg(indicatorId)}${
        valuePeriod ? `?for=${encodeURIComponent(valuePeriod)}` : ''
      }`,
    /** A partner comments on a shared report (POST). */
    comments: (shareId: string, period: string) => `/shared-with-us/${seg(shareId)}/reports/${seg(period)}/comments`,
  },
  /** Benchmarking clubs (issue 11): the clubs one's organisation hosts or belongs to. */
  clubs: {
    list: '/clubs',
    new: '/clubs/new',
    show: (id: string) => `/clubs/${seg(id)}`,
    members: (id: string) => `/clubs/${seg(id)}/members`,
    join: (id: string) => `/clubs/${seg(id)}/join`,
    leave: (id: string) => `/clubs/${seg(id)}/leave`,
    baseline: (id: string) => `/clubs/${seg(id)}/contributions/baseline`,
    baselineWithdraw: (id: string) => `/clubs/${seg(id)}/contributions/baseline/withdraw`,
    indicator: (id: string) => `/clubs/${seg(id)}/contributions/indicator`,
    statisticsCsv: (id: string) => `/clubs/${seg(id)}/statistics.csv`,
    withdraw: (figureId: string) => `/clubs/figures/${seg(figureId)}/withdraw`,
  },
  /** Deployment-wide (issue 11): the organisations a person belongs to, and the operator's pages. */
  switchOrganisation: '/organisations/switch',
  operator: {
    organisations: '/operator/organisations',
    newOrganisation: '/operator/organisations/new',
    /** The accessibility statement's contact details and dates, which whoever hosts Amber keeps. */
    accessibilityStatement: '/operator/accessibility-statement',
  },
} as const;

/** Keys of `basePaths` whose URLs belong to the deployment, not to an organisation. */
const DEPLOYMENT_WIDE = new Set<string>([
  'health',
  'healthLive',
  'healthReady',
  'metrics',
  'assets',
  'accessibility',
  'signIn',
  'signOut',
  'sso',
  'password',
  'invitations',
  'account',
  'api',
  'switchOrganisation',
  'operator',
]);

/** Every string and function of an organisation's paths, answering under its prefix when a request acts for one. */
function underOrganisation<T extends object>(node: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') Object.defineProperty(out, key, { enumerable: true, get: () => prefixNow(value) });
    else if (typeof value === 'function')
      out[key] = (...args: unknown[]) => prefixNow((value as (...a: unknown[]) => string)(...args));
    else out[key] = underOrganisation(value as object);
  }
  return out as T;
}

export const paths: typeof basePaths = (() => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(basePaths)) {
    if (DEPLOYMENT_WIDE.has(key)) out[key] = value;
    else if (typeof value === 'string')
      Object.defineProperty(out, key, { enumerable: true, get: () => prefixNow(value) });
    else out[key] = underOrganisation(value as object);
  }
  return out as typeof basePaths;
})();

/** Route patterns for Fastify, derived from the same functions so the two cannot drift apart (never prefixed). */
export const routes = {
  passwordReset: basePaths.password.reset(':token'),
  invitation: basePaths.invitations.show(':token'),
  revokeToken: basePaths.account.revokeToken(':id'),
  user: basePaths.users.show(':id'),
  userInvitation: basePaths.users.resendInvitation(':id'),
  job: basePaths.jobs.show(':id'),
  file: basePaths.files.show(':id'),
  priority: basePaths.priorities.show(':code'),
  priorityEdit: basePaths.priorities.edit(':code'),
  reportNew: basePaths.reports.new(':code'),
  reportCreate: basePaths.reports.create(':code'),
  report: basePaths.reports.show(':code', ':period'),
  reportEdit: basePaths.reports.edit(':code', ':period'),
  reportDownload: basePaths.reports.download(':code', ':period', ':format' as 'pdf'),
  actionNew: basePaths.reports.actions.new(':code', ':period'),
  actionCreate: basePaths.reports.actions.create(':code', ':period'),
  actionEdit: basePaths.reports.actions.edit(':code', ':period', ':n'),
  actionUpdate: basePaths.reports.actions.update(':code', ':period', ':n'),
  actionMove: basePaths.reports.actions.move(':code', ':period', ':n'),
  actionDelete: basePaths.reports.actions.delete(':code', ':period', ':n'),
  milestoneProgress: basePaths.reports.milestoneProgress(':code', ':period', ':id'),
  reportGraphs: basePaths.reports.graphs(':code', ':period'),
  indicator: basePaths.indicators.show(':code'),
  indicatorEdit: basePaths.indicators.edit(':code'),
  indicatorValues: basePaths.indicators.values(':code'),
  indicatorStatus: basePaths.indicators.status(':code'),
  riskEdit: basePaths.risks.edit(':id'),
  priorityRisks: basePaths.risks.forPriority(':code'),
  reportSubmit: basePaths.reports.submit(':code', ':period'),
  reportSignOff: basePaths.reports.signOff(':code', ':period'),
  reportRevisions: basePaths.reports.revisions(':code', ':period'),
  reportRevision: basePaths.reports.revision(':code', ':period', ':n'),
  reportCompare: basePaths.reports.compare(':code', ':period'),
  reportSinceLastPeriod: basePaths.reports.sinceLastPeriod(':code', ':period'),
  reportHistory: basePaths.history.report(':code', ':period'),
  priorityHistory: basePaths.history.priority(':code'),
  priorityHistoryCsv: basePaths.history.priorityCsv(':code'),
  planEdit: basePaths.plans.edit(':id'),
  themeNew: basePaths.plans.newTheme(':planId'),
  themeCreate: basePaths.plans.createTheme(':planId'),
  themeEdit: basePaths.plans.editTheme(':id'),
  themeDelete: basePaths.plans.deleteTheme(':id'),
  personEdit: basePaths.people.edit(':id'),
  personDelete: basePaths.people.delete(':id'),
  organisationEdit: basePaths.organisations.edit(':id'),
  organisationDelete: basePaths.organisations.delete(':id'),
  periodEdit: basePaths.periods.edit(':key'),
  agreement: basePaths.sharing.agreement(':id'),
  agreementRevoke: basePaths.sharing.revokeAgreement(':id'),
  shareNew: basePaths.sharing.newShare(':id'),
  shareCreate: basePaths.sharing.shares(':id'),
  shareRevoke: basePaths.sharing.revokeShare(':shareId'),
  shareActions: basePaths.sharing.shareActions(':shareId'),
  sharedReport: basePaths.sharedWithUs.report(':shareId', ':period'),
  club: basePaths.clubs.show(':id'),
  clubMembers: basePaths.clubs.members(':id'),
  clubJoin: basePaths.clubs.join(':id'),
  clubLeave: basePaths.clubs.leave(':id'),
  clubBaseline: basePaths.clubs.baseline(':id'),
  clubBaselineWithdraw: basePaths.clubs.baselineWithdraw(':id'),
  clubIndicator: basePaths.clubs.indicator(':id'),
  clubStatisticsCsv: basePaths.clubs.statisticsCsv(':id'),
  clubWithdraw: basePaths.clubs.withdraw(':figureId'),
  sharedSignOff: basePaths.sharedWithUs.signOff(':shareId', ':period'),
  sharedMilestone: basePaths.sharedWithUs.milestone(':shareId', ':period', ':id'),
  sharedIndicator: basePaths.sharedWithUs.indicator(':shareId', ':period', ':id'),
  sharedComments: basePaths.sharedWithUs.comments(':shareId', ':period'),
  shareReport: basePaths.sharing.shareReport(':shareId', ':period'),
  shareComments: basePaths.sharing.shareComments(':shareId', ':period'),
  shareSections: basePaths.sharing.shareSections(':shareId', ':code'),
  periodDelete: basePaths.periods.delete(':key'),
  api: {
    priority: basePaths.api.priority(':code'),
    reports: basePaths.api.reports(':code'),
    report: basePaths.api.report(':code', ':period'),
    actions: basePaths.api.actions(':code', ':period'),
    action: basePaths.api.action(':code', ':period', ':n'),
    actionMove: basePaths.api.actionMove(':code', ':period', ':n'),
    submit: basePaths.api.submit(':code', ':period'),
    approve: basePaths.api.approve(':code', ':period'),
    return: basePaths.api.return(':code', ':period'),
    revisions: basePaths.api.revisions(':code', ':period'),
    revision: basePaths.api.revision(':code', ':period', ':n'),
    compare: basePaths.api.compare(':code', ':period'),
    reportHistory: basePaths.api.reportHistory(':code', ':period'),
    priorityHistory: basePaths.api.priorityHistory(':code'),
    milestoneProgress: basePaths.api.milestoneProgress(':code', ':period', ':id'),
    person: basePaths.api.person(':id'),
    organisation: basePaths.api.organisation(':id'),
    plan: basePaths.api.plan(':id'),
    themes: basePaths.api.themes(':planId'),
    theme: basePaths.api.theme(':id'),
    indicator: basePaths.api.indicator(':code'),
    indicatorValues: basePaths.api.indicatorValues(':code'),
    indicatorStatus: basePaths.api.indicatorStatus(':code'),
    risk: basePaths.api.risk(':id'),
    priorityRisks: basePaths.api.priorityRisks(':code'),
    club: basePaths.api.club(':id'),
    sharingAgreement: basePaths.api.sharingAgreement(':id'),
    revokeSharingAgreement: basePaths.api.revokeSharingAgreement(':id'),
    agreementShares: basePaths.api.agreementShares(':id'),
    revokeShare: basePaths.api.revokeShare(':shareId'),
    shareActions: basePaths.api.shareActions(':shareId'),
    shareComments: basePaths.api.shareComments(':shareId', ':period'),
    shareSections: basePaths.api.shareSections(':shareId', ':code'),
    sharedReport: basePaths.api.sharedReport(':shareId', ':period'),
    sharedMilestoneProgress: basePaths.api.sharedMilestoneProgress(':shareId', ':period', ':id'),
    sharedIndicator: basePaths.api.sharedIndicator(':shareId', ':period', ':id'),
    sharedIndicatorValue: basePaths.api.sharedIndicatorValue(':shareId', ':period', ':id'),
    sharedComments: basePaths.api.sharedComments(':shareId', ':period'),
    sharedSignOff: basePaths.api.sharedSignOff(':shareId', ':period'),
    clubMembership: basePaths.api.clubMembership(':id'),
    clubMembers: basePaths.api.clubMembers(':id'),
    clubJoin: basePaths.api.clubJoin(':id'),
    clubLeave: basePaths.api.clubLeave(':id'),
    clubFigures: basePaths.api.clubFigures(':id'),
    clubBaseline: basePaths.api.clubBaseline(':id'),
    clubBaselineWithdraw: basePaths.api.clubBaselineWithdraw(':id'),
    clubConsents: basePaths.api.clubConsents(':id'),
    clubIndicator: basePaths.api.clubIndicator(':id'),
    clubFigure: basePaths.api.clubFigure(':figureId'),
    exercise: basePaths.api.exercise(':id'),
    exerciseBaseline: basePaths.api.exerciseBaseline(':id'),
    exerciseQuality: basePaths.api.exerciseQuality(':id'),
    exercisePosts: basePaths.api.exercisePosts(':id'),
    programme: basePaths.api.programme(':id'),
    benchmarks: basePaths.api.benchmarks(':id'),
    computedBenchmarks: basePaths.api.computedBenchmarks(':id'),
    opportunities: basePaths.api.opportunities(':id'),
    workOutOpportunity: basePaths.api.workOutOpportunity(':id'),
    cases: basePaths.api.cases(':id'),
    implementationPlan: basePaths.api.implementationPlan(':id'),
    projects: basePaths.api.projects(':id'),
    milestones: basePaths.api.milestones(':id'),
    savings: basePaths.api.savings(':id'),
    gainShare: basePaths.api.gainShare(':id'),
    gainSharePreset: basePaths.api.gainSharePreset(':id'),
    exercisePost: basePaths.api.exercisePost(':id', ':postId'),
    benchmark: basePaths.api.benchmark(':id', ':itemId'),
    opportunity: basePaths.api.opportunity(':id', ':itemId'),
    case: basePaths.api.case(':id', ':itemId'),
    approveCase: basePaths.api.approveCase(':id', ':itemId'),
    caseOptions: basePaths.api.caseOptions(':id', ':itemId'),
    caseLines: basePaths.api.caseLines(':id', ':itemId'),
    project: basePaths.api.project(':id', ':itemId'),
    milestone: basePaths.api.milestone(':id', ':itemId'),
    saving: basePaths.api.saving(':id', ':itemId'),
    verifySaving: basePaths.api.verifySaving(':id', ':itemId'),
    agreement: basePaths.api.agreement(':id', ':itemId'),
    evaluations: basePaths.api.evaluations(':id', ':itemId'),
    caseOption: basePaths.api.caseOption(':id', ':itemId', ':subId'),
    caseLine: basePaths.api.caseLine(':id', ':itemId', ':subId'),
    taxonomy: basePaths.api.taxonomy(':taxonomyId'),
    exerciseUploads: basePaths.api.exerciseUploads(':id'),
    exerciseUpload: basePaths.api.exerciseUpload(':id', ':jobId'),
    exerciseTemplate: basePaths.api.exerciseTemplate(':id'),
    exerciseData: basePaths.api.exerciseData(':id'),
    baselineTable: basePaths.api.baselineTable(':id', ':table'),
    casePdf: basePaths.api.caseDocument(':id', ':itemId', 'pdf'),
    caseDocx: basePaths.api.caseDocument(':id', ':itemId', 'docx'),
  },
};
