// HTML form bodies (application/x-www-form-urlencoded) become nested objects with `qs`: fields
// named like `milestones[0][description]` are lists of objects, a repeated field a list. Limits
// keep a hostile body from costing much: nesting 5 deep at most, lists of 1,000, 5,000 fields.
//
// A field whose name has a `__proto__`, `constructor` or `prototype` part is refused with 400
// before anything is parsed: such a name has no use in Amber's forms, and nesting it by hand once
// wrote onto Object.prototype for the whole process (issue 9).

import { MAX_NESTING, tooDeep } from '../../domain/limits.ts';
import qs from 'qs';
import { parse as secureJsonParse } from 'secure-json-parse';
import { BadRequestError } from '../../domain/errors.ts';

const FORBIDDEN_PARTS = new Set(['__proto__', 'constructor', 'prototype']);
export const FORM_LIMITS = { depth: 5, arrayLimit: 1000, parameterLimit: 5000 } as const;

/** The parts of a field name: `a[b][0]` → a, b, 0 (and `a.b` → a, b, in case dots are ever read as nesting). */
function nameParts(name: string): string[] {
  return name.split(/[[\].]+/).filter((p) => p !== '');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Refuses a body whose field names would reach an object's prototype; names the field. */
export function refusePrototypeKeys(names: Iterable<string>): void {
  for (const name of names) {
    if (nameParts(name).some((part) => FORBIDDEN_PARTS.has(part))) {
      throw new BadRequestError(
        'FORM_FIELD_NOT_ALLOWED',
        `The form field "${name.slice(0, 100)}" is not allowed: field names cannot contain __proto__, constructor or prototype. Nothing has been changed.`,
      );
    }
  }
}

/** Parses a urlencoded body as Amber's forms send it. */
export function parseFormBody(body: string): Record<string, unknown> {
  // A name ends where qs ends it: at `]=` when there is one (so `x=[__proto__][a]=1` names
  // `x=[__proto__][a]`), else at the first `=`. Both readings are checked.
  const names = body
    .split('&')
    .filter((pair) => pair !== '')
    .flatMap((pair) => {
      const bracketEquals = pair.indexOf(']=');
      const end = bracketEquals === -1 ? pair.indexOf('=') : bracketEquals + 1;
      return [decode(end === -1 ? pair : pair.slice(0, end)), decode(pair.split('=', 1)[0]!)];
    });
  refusePrototypeKeys(names);
  try {
    return qs.parse(body, {
      ...FORM_LIMITS,
      allowPrototypes: false,
      strictDepth: true,
      throwOnLimitExceeded: true,
      charset: 'utf-8',
    }) as Record<string, unknown>;
  } catch (error) {
    throw new BadRequestError(
      'FORM_TOO_COMPLEX',
      `The form could not be read: ${(error as Error).message}. Nothing has been changed.`,
    );
  }
}

/**
 * Parses a JSON body; a `__proto__` or `constructor.prototype` key anywhere is refused with 400
 * saying so (Fastify's own parser would call such a body "not valid JSON").
 */
export function parseJsonBody(body: string): unknown {
  if (body.length === 0) {
    throw new BadRequestError('EMPTY_JSON_BODY', 'The body is empty, but its content type says it is JSON.');
  }
  let value: unknown;
  try {
    value = secureJsonParse(body, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = (error as Error).message;
    if (/prototype/i.test(message)) {
      throw new BadRequestError(
        'JSON_KEY_NOT_ALLOWED',
        'The JSON body has a __proto__ or constructor.prototype key: such keys are not allowed. Nothing has been changed.',
      );
    }
    throw new BadRequestError('INVALID_JSON', `The body is not valid JSON (${message}). Nothing has been changed.`);
  }
  // The same depth limit as an organisation file: no schema walks a body nested 100,000 deep.
  const deep = tooDeep(value);
  if (deep !== undefined)
    throw new BadRequestError(
      'JSON_TOO_DEEP',
      `The JSON body nests deeper than ${MAX_NESTING} levels (at ${deep.slice(0, 200)}): no Amber API body does. Nothing has been changed.`,
    );
  return value;
}
