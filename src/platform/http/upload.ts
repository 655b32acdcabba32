// Every file upload (multipart/form-data) is read here, one way: with the deployment's size
// limit, at most one file and a few short fields, and the form's CSRF token checked before a
// byte of the file is read. The token is the form's first field (csrfField() comes first in
// every upload form), never a query parameter, so it does not end up in request logs.
//
// An upload a browser would never send — no boundary, cut short, a field where the file should
// be — is a 400 with a plain message, not a 500; a file too big is a problem on the `file`
// field, shown on the form like any other.

import { megabytes } from '../../domain/limits.ts';
import type { FastifyRequest } from 'fastify';
import { AppError, BadRequestError, ValidationError } from '../../domain/errors.ts';
import { refusePrototypeKeys } from './form-body.ts';

export interface Upload {
  /** The chosen file, if one was chosen. */
  file: { filename: string; data: Buffer } | undefined;
  /** The form's other fields, by name (the CSRF token not among them). */
  fields: Record<string, string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by the access layer on a multipart request from a signed-in browser that did not send
     * the token in a header: checks the token the form carries (throws a 403 AppError when it
     * does not match). readUpload calls it on the first field, before any file.
     */
    checkFormCsrf: ((presented: string | undefined) => Promise<void>) | undefined;
    /** True once checkFormCsrf has passed. */
    formCsrfChecked: boolean;
  }
}

/** Reads a multipart upload with at most one file of `maxBytes`. */
export async function readUpload(request: FastifyRequest, options: { maxBytes: number }): Promise<Upload> {
  if (!request.isMultipart()) throw ValidationError.single('file', 'Select a file to upload');
  const fields: Record<string, string> = {};
  let file: Upload['file'];
  const csrf = async (presented: string | undefined) => {
    if (!request.checkFormCsrf || request.formCsrfChecked) return;
    await request.checkFormCsrf(presented);
    request.formCsrfChecked = true;
  };
  try {
    const parts = request.parts({
      limits: { fileSize: options.maxBytes, files: 1, fields: 10, parts: 12, fieldSize: 100_000 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        // No byte of a file is read for a form that has not shown its token.
        await csrf(undefined);
        const data = await part.toBuffer();
        if (part.filename) file = { filename: part.filename, data };
      } else {
        refusePrototypeKeys([part.fieldname]);
        const value = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === '_csrf') await csrf(value);
        else fields[part.fieldname] = value;
      }
    }
    await csrf(undefined);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw ValidationError.single('file', `The selected file must be smaller than ${megabytes(options.maxBytes)}`);
    if (code === 'FST_FILES_LIMIT') throw ValidationError.single('file', 'Select one file');
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw new BadRequestError(
        'UPLOAD_TOO_MANY_FIELDS',
        'The upload has more fields than the form has: send it from the form',
      );
    throw new BadRequestError(
      'UPLOAD_MALFORMED',
      'The upload could not be read: it was cut short, or it is not a form upload. Choose the file and send the form again.',
    );
  }
  return { file, fields };
}
