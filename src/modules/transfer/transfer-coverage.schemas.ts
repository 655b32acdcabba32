// What the organisation file carries of the database, table by table and column by column, with
// the reason for everything it leaves out. programme-transfer.test.ts compares this (and the
// description of the diagnostic and efficiency tables in programme-transfer.schemas.ts) with
// PostgreSQL's catalogue and fails naming any column or organisation-owned table that is neither
// carried nor left out with a reason: a column added by a migration cannot be silently lost by
// `amber export` / `amber import`. Pure data; nothing else reads it.

const ORG = 'the organisation the file is imported as';

/** The tables of the file's original sections: the columns carried, and those left out with why. */
export const MAIN_TABLES: Readonly<Record<string, { carried: readonly string[]; leftOut: Record<string, string> }>> = {
  organisation: {
    carried: [
      'id',
      'name',
      'short_name',
      'kind',
      'managed_by_id',
      'created_at',
      'default_rule_kind',
      'default_rule_value',
      'version',
    ],
    leftOut: {
      slug: 'a URL name belongs to a deployment: made on import from the short name, numbered if the target already has it',
    },
  },
  status: {
    carried: [
      'id',
      'key',
      'label',
      'colour',
      'shape',
      'description',
      'comment_required',
      'position',
      'rated',
      'pattern',
      'approval_role',
      'in_use_from',
    ],
    leftOut: { organisation_id: ORG },
  },
  person: {
    carried: ['id', 'name', 'job_title', 'employer_id', 'email', 'created_at', 'version'],
    leftOut: { organisation_id: ORG },
  },
  reporting_period: { carried: ['id', 'key', 'starts_on', 'ends_on', 'due_on'], leftOut: { organisation_id: ORG } },
  plan: {
    carried: ['id', 'title', 'description', 'first_year', 'last_year', 'version', 'created_at'],
    leftOut: { organisation_id: ORG },
  },
  theme: { carried: ['id', 'plan_id', 'title', 'position', 'version'], leftOut: { organisation_id: ORG } },
  priority: {
    carried: [
      'id',
      'theme_id',
      'code',
      'title',
      'rationale',
      'accountable_officer_id',
      'accountable_director_id',
      'groups_internal',
      'groups_external',
      'version',
      'created_at',
      'updated_at',
    ],
    leftOut: { organisation_id: ORG },
  },
  progress_report: {
    carried: [
      'id',
      'priority_id',
      'period_id',
      'summary',
      'status_id',
      'status_reason',
      'achievements',
      'challenges',
      'version',
      'created_at',
      'updated_at',
      'state',
      'revision',
      'published_revision',
    ],
    leftOut: { organisation_id: ORG },
  },
  action: { carried: ['id', 'report_id', 'position', 'description'], leftOut: { organisation_id: ORG } },
  action_contributor: {
    carried: ['id', 'action_id', 'position', 'person_id', 'partner_id'],
    leftOut: { organisation_id: ORG },
  },
  milestone: {
    carried: [
      'id',
      'action_id',
      'position',
      'description',
      'due_on',
      'due_precision',
      'progress',
      'met_on',
      'revised_due_on',
      'revised_precision',
      'progress_reason',
      'progress_version',
    ],
    leftOut: { organisation_id: ORG },
  },
  sign_off: {
    carried: [
      'id',
      'report_id',
      'role',
      'person_id',
      'decision',
      'signed_on',
      'comment',
      'historical',
      'recorded_at',
      'user_id',
      'revision',
      'signed_at',
    ],
    leftOut: { organisation_id: ORG },
  },
  report_revision: {
    carried: [
      'report_id',
      'number',
      'content',
      'published_at',
      'published_by',
      'published_by_user_id',
      'published_by_person_id',
      'historical',
      'format',
    ],
    leftOut: {
      organisation_id: ORG,
      id: 'a surrogate key nothing refers to: a revision is its report and number',
      status: 'worked out again on import from the revision’s content',
    },
  },
  indicator: {
    carried: [
      'id',
      'code',
      'title',
      'description',
      'unit_kind',
      'decimal_places',
      'polarity',
      'frequency',
      'ytd_method',
      'rule_kind',
      'rule_value',
      'chart_kind',
      'owner_id',
      'data_source',
      'shared_code',
      'version',
      'created_at',
      'updated_at',
      'baseline',
    ],
    leftOut: { organisation_id: ORG },
  },
  indicator_priority: { carried: ['indicator_id', 'priority_id'], leftOut: { organisation_id: ORG } },
  indicator_value: {
    carried: [
      'id',
      'indicator_id',
      'period_id',
      'actual',
      'target',
      'target_high',
      'comment',
      'override_status_key',
      'override_reason',
      'override_computed_key',
      'override_explanation',
      'version',
      'updated_at',
    ],
    leftOut: { organisation_id: ORG },
  },
  report_graph: { carried: ['report_id', 'indicator_id', 'position'], leftOut: { organisation_id: ORG } },
  risk: {
    carried: [
      'id',
      'priority_id',
      'description',
      'cause',
      'effect',
      'likelihood',
      'impact',
      'target_likelihood',
      'target_impact',
      'owner_id',
      'controls',
      'review_on',
      'closed',
      'version',
      'created_at',
      'updated_at',
    ],
    leftOut: { organisation_id: ORG },
  },
  report_risk: { carried: ['report_id', 'risk_id', 'position'], leftOut: { organisation_id: ORG } },
  // The organisation's audit trail (audit-transfer.schemas.ts).
  audit_event: {
    carried: ['occurred_at', 'actor', 'entity', 'entity_id', 'action', 'before', 'after'],
    leftOut: {
      organisation_id: ORG,
      id: 'a number of the deployment’s trail: the order travels as the list’s order, and the import numbers the events anew',
    },
  },
  // The organisation's members (account-transfer.schemas.ts).
  user_account: {
    // password_hash: only when the export is asked for it (--include-password-hashes).
    carried: ['id', 'email', 'name', 'state', 'version', 'created_at', 'last_signed_in_at', 'password_hash'],
    leftOut: { operator: 'a power over the whole deployment, not the organisation’s to give' },
  },
  membership: {
    carried: ['user_id', 'person_id', 'roles', 'created_at'],
    leftOut: { organisation_id: ORG },
  },
  // The names the organisation gave its indicator spreadsheets' columns (import-header-transfer.schemas.ts).
  indicator_import_header: {
    carried: ['header', 'shown', 'column_key', 'updated_by', 'updated_at'],
    leftOut: {
      organisation_id: ORG,
      id: 'a surrogate key nothing refers to: a mapping is its header, unique in the organisation',
    },
  },
};

/** Tables with rows of an organisation that the file does not carry at all, and why. */
export const TABLES_NOT_CARRIED: Readonly<Record<string, string>> = {
  user_session: 'a credential: signed-in sessions never leave their deployment',
  api_token: 'a credential: API tokens never leave their deployment',
  security_event: "the deployment's security log, about accounts rather than the organisation's work",
  job: "the deployment's work queue: transient, and its results are the rows the file carries",
  stored_file:
    'files belong to the jobs of the queue, which is not carried: a board pack is made again on demand, and a diagnostic upload waiting for its job is useless without it (its job would discard it); the data an upload brought is carried with its exercise',
  reminder_sent:
    'not carried (a known gap): the record of reminder e-mails this deployment sent; the target may send a due reminder again',
  sharing_agreement:
    'crosses organisations: an agreement names another organisation of the deployment (not a partner record the file carries)',
  priority_share: 'crosses organisations: part of a sharing agreement',
  joint_sign_off:
    'crosses organisations: a joint owner’s sign-off on a shared report, written by the other organisation',
  shared_comment:
    'crosses organisations: comments the sharing organisation’s people and the partner’s exchange on a shared report',
  benchmark_club: 'crosses organisations: a club and its members belong to the deployment',
  club_member: 'crosses organisations: a club’s membership',
  club_figure: 'crosses organisations: figures contributed to a club, read only as its statistics',
  club_baseline_consent:
    'crosses organisations: a consent names another organisation’s club, and the club’s membership (without which it counts nothing) is not carried either; after an import the council consents again on the club’s page, and its figures are worked out again from the exercise the file carries',
  access_generation:
    'the deployment’s own: a counter its writes move on, which the pages it keeps in memory are checked against; the target keeps its own, moved on by the import’s writes',
  dashboard_generation:
    'the deployment’s own: a counter the writes to what the dashboard reads move on, which the dashboards it keeps worked out are checked against (ADR 0023); the target keeps its own, moved on by the import’s writes',
  dashboard_change:
    'the deployment’s own: the organisations a transaction has changed, until it commits; empty outside one',
  dashboard_indicator_change:
    'the deployment’s own: which indicators moved the dashboard’s indicators’ part on, and to which number (ADR 0029), a day’s worth; the target notes its own as the import writes',
  report_rendering:
    'derived: a published revision’s body rendered from its snapshot, which the file carries; the target renders it again the first time the page is read',
  diagnostic_peer_function:
    'retired (ADR 0018): the pool of figures exercises shared with every organisation, empty since migration 2026-12-11-100-* and read by nothing; kept for one release so that an instance of the previous Amber still serving during a rolling upgrade finds it, then dropped',
};
