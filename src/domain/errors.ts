// The one error catalogue: every error Amber raises on purpose has a stable code.
// platform/http/errors.ts maps these to HTTP statuses; the CLI prints their messages.

export interface FieldIssue {
  /** Dotted path of the field, e.g. `milestones.1.timescale` or `priorities[3].code` in an import. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 500) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

export class ValidationError extends AppError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], message = 'There is a problem with the information you entered') {
    super('VALIDATION_FAILED', message, 422);
    this.issues = issues;
  }
  static single(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

/** The request itself is malformed (400): not a field a person can correct. */
export class BadRequestError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 400);
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 404);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

/** The person is signed in but their role does not allow this (403). */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 403);
  }
}

/** Nobody is signed in, or the session or token has ended (401). */
export class UnauthenticatedError extends AppError {
  constructor(code = 'SIGN_IN_REQUIRED', message = 'You need to sign in to do this') {
    super(code, message, 401);
  }
}

/** A change based on a version someone else has changed since: refused, never merged. */
export class StaleVersionError extends ConflictError {
  constructor(what: string) {
    super(
      'STALE_VERSION',
      `Someone else changed this ${what} while you were editing it. Your changes have not been saved: reload the page to see their changes, then make yours again.`,
    );
  }
}
