// Who is acting, and for which organisation. Every service call takes one, so that the
// permission checks of the sign-in issue have one place to go. Until sign-in exists the web app
// and the CLI act as the organisation's anonymous officer.

export interface Actor {
  organisationId: string;
  /** What the audit trail records as "who": a user's e-mail later; "cli" or "web (anonymous)" now. */
  label: string;
}
