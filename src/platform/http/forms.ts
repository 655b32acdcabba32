// Form handling for pages: parse the body (bracketed names become nested lists), run the use
// case, and on a validation error or a stale version re-render the form with the GOV.UK error
// summary and the person's input kept, changing nothing.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError, ConflictError } from '../../domain/errors.ts';
import { errorView, type ErrorView } from '../views/views.ts';

/** The form's fields, nested (see form-body.ts); {} when the request has no form body. */
export function formBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return {};
  return body as Record<string, unknown>;
}

/**
 * Runs `action`; on success redirects to what `redirectTo` returns (303, so a refresh does not
 * post again). A ValidationError or ConflictError re-renders the form via `rerender`.
 */
export async function submitForm<T>(
  reply: FastifyReply,
  action: () => Promise<T>,
  redirectTo: (result: T) => string,
  rerender: (errors: ErrorView, conflict?: ConflictError) => Promise<Record<string, unknown> & { template: string }>,
): Promise<FastifyReply> {
  try {
    const result = await action();
    return reply.redirect(redirectTo(result), 303);
  } catch (error) {
    if (error instanceof ValidationError) {
      const { template, ...context } = await rerender(errorView(error.issues));
      return reply.status(422).view(template, context);
    }
    if (error instanceof ConflictError) {
      const { template, ...context } = await rerender(errorView([{ field: 'version', message: error.message }]), error);
      return reply.status(409).view(template, context);
    }
    throw error;
  }
}

/** Options for a GOV.UK select from records. */
export function selectItems<T>(
  records: T[],
  value: (r: T) => string,
  text: (r: T) => string,
  selected: string | null | undefined,
  emptyText?: string,
) {
  const items = records.map((r) => ({ value: value(r), text: text(r), selected: value(r) === selected }));
  return emptyText === undefined ? items : [{ value: '', text: emptyText, selected: !selected }, ...items];
}

/**
 * Lists edited without JavaScript: the form's buttons are named `intent` with values
 * `move-<i>-up`, `move-<i>-down`, `remove-<i>` and `add-<something>`. Applies a move or a
 * removal to the submitted rows and says how many blank rows to show next.
 */
export function applyRowIntent<T>(rows: T[], intent: string): { rows: T[]; blank: number } {
  const out = [...rows];
  const move = /^move-(\d+)-(up|down)$/.exec(intent);
  if (move) {
    const i = Number(move[1]);
    const j = move[2] === 'up' ? i - 1 : i + 1;
    if (i >= 0 && i < out.length && j >= 0 && j < out.length) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  const remove = /^remove-(\d+)$/.exec(intent);
  if (remove && Number(remove[1]) < out.length) out.splice(Number(remove[1]), 1);
  return { rows: out, blank: intent.startsWith('add-') ? 1 : 0 };
}
