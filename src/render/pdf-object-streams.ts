// Compressed object streams (PDF 1.5+) for a tagged PDF's structure elements.
//
// pdfkit writes every object on its own, uncompressed, with a 20-byte line in a classic xref
// table. A tagged document has one object per structure element: a 100-priority board pack has
// ~25,000 (every table cell is one), which made the tagged file 2.4× the untagged one. Here the
// structure elements are gathered into object streams of up to OBJECTS_PER_STREAM, deflated, and
// the xref table becomes a compressed cross-reference stream that can point into them. Everything
// else (pages, fonts, annotations, content and metadata streams) is written by pdfkit as before.
//
// This reaches into pdfkit's writer: `ref()` (each new object), a reference's `finalize()` (which
// serialises it with pdfkit's own PDFObject conversion), `_refEnd()` and `_finalize()` (the xref).
// If a later pdfkit changes those, `useObjectStreams` leaves the document as pdfkit writes it.

import { deflateSync } from 'node:zlib';

const OBJECTS_PER_STREAM = 200;

interface Reference {
  id: number;
  gen: number;
  offset: number | undefined;
  data: Record<string, unknown>;
  buffer: unknown[];
  document: unknown;
  finalize(): void;
}

interface Writer {
  ref(data?: Record<string, unknown>): Reference;
  _refEnd(ref: Reference): void;
  _finalize(): void;
  _write(data: string | Uint8Array): void;
  push(chunk: Uint8Array | null): boolean;
  _offset: number;
  _offsets: (number | null | undefined)[];
  _security: unknown;
  _root: Reference;
  _info: Reference;
  _id: Uint8Array;
}

/**
 * A structure element's dictionary (/S its type, /P its parent), or the structure tree's root,
 * which holds the parent tree: an array of elements for each page, as large as the content's
 * marked sequences. Never a stream (a stream cannot be in an object stream).
 */
const isStructure = (ref: Reference) =>
  ref.buffer.length === 0 && (('S' in ref.data && 'P' in ref.data) || ref.data.Type === 'StructTreeRoot');

/** The dictionary pdfkit's `finalize` would write for `ref`, captured instead of written. */
function serialise(ref: Reference, finalize: () => void): string {
  const lines: string[] = [];
  const document = ref.document;
  ref.document = {
    _offset: 0,
    _security: null,
    _write: (data: string | Uint8Array) =>
      lines.push(typeof data === 'string' ? data : Buffer.from(data).toString('latin1')),
    _refEnd: () => {},
  };
  try {
    finalize();
  } finally {
    ref.document = document;
  }
  // "N 0 obj", the dictionary, "endobj".
  return lines.slice(1, -1).join('\n');
}

export function useObjectStreams(doc: PDFKit.PDFDocument): void {
  const writer = doc as unknown as Writer;
  if (
    typeof writer.ref !== 'function' ||
    typeof writer._refEnd !== 'function' ||
    typeof writer._finalize !== 'function' ||
    !Array.isArray(writer._offsets) ||
    writer._security
  )
    return;
  const makeRef = writer.ref.bind(writer);
  const refEnd = writer._refEnd.bind(writer);
  /** Object number → the object stream holding it and its index there. */
  const compressed = new Map<number, { stream: number; index: number }>();
  let pending: { id: number; body: string }[] = [];

  const flush = () => {
    if (pending.length === 0) return;
    const objects = pending;
    pending = [];
    let header = '';
    let body = '';
    for (const { id, body: text } of objects) {
      header += `${id} ${body.length} `;
      body += `${text}\n`;
    }
    const stream = makeRef({ Type: 'ObjStm', N: objects.length, First: header.length });
    objects.forEach(({ id }, index) => compressed.set(id, { stream: stream.id, index }));
    // pdfkit deflates the stream (the document compresses) and writes it as any other.
    (stream as unknown as { end(chunk: Uint8Array): void }).end(Buffer.from(header + body, 'latin1'));
  };

  const gather = (ref: Reference) => {
    const finalize = ref.finalize.bind(ref);
    ref.finalize = () => {
      if (!isStructure(ref)) {
        finalize();
        return;
      }
      pending.push({ id: ref.id, body: serialise(ref, finalize) });
      if (pending.length >= OBJECTS_PER_STREAM) flush();
      ref.offset = 0; // replaced by its place in an object stream in the cross-reference stream
      refEnd(ref);
    };
    return ref;
  };
  writer.ref = (data) => gather(makeRef(data));
  // The structure tree's root is made with the document, before this is called.
  const root = writer._root.data.StructTreeRoot as Reference | undefined;
  if (root) gather(root);

  let written = false;
  writer._finalize = () => {
    // Writing the last object stream ends one more object, which may call _finalize again
    // (from inside flush); whichever call comes first once nothing is pending writes the xref.
    flush();
    if (written) return;
    written = true;
    writeCrossReferenceStream(writer, compressed);
  };
}

/** A cross-reference stream (PDF 1.5, 7.5.8) in place of pdfkit's table and trailer. */
function writeCrossReferenceStream(writer: Writer, compressed: Map<number, { stream: number; index: number }>): void {
  const id = writer._offsets.length + 1;
  const size = id + 1;
  const offset = writer._offset;
  // Each entry: type (1 byte), offset or object stream number (4), generation or index (2).
  const rows = Buffer.alloc(size * 7);
  const put = (n: number, type: number, field2: number, field3: number) => {
    rows.writeUInt8(type, n * 7);
    rows.writeUInt32BE(field2, n * 7 + 1);
    rows.writeUInt16BE(field3, n * 7 + 5);
  };
  put(0, 0, 0, 65535);
  writer._offsets.forEach((at, i) => {
    const inStream = compressed.get(i + 1);
    if (inStream) put(i + 1, 2, inStream.stream, inStream.index);
    else put(i + 1, 1, at ?? 0, 0);
  });
  put(id, 1, offset, 0);
  const data = deflateSync(rows);
  const fileId = `<${Buffer.from(writer._id).toString('hex')}>`;
  writer._write(`${id} 0 obj`);
  writer._write(
    `<<\n/Type /XRef\n/Size ${size}\n/W [1 4 2]\n/Root ${writer._root.id} 0 R\n/Info ${writer._info.id} 0 R\n` +
      `/ID [${fileId} ${fileId}]\n/Filter /FlateDecode\n/Length ${data.length}\n>>`,
  );
  writer._write('stream');
  writer._write(data);
  writer._write('\nendstream');
  writer._write('endobj');
  writer._write('startxref');
  writer._write(`${offset}`);
  writer._write('%%EOF');
  writer.push(null);
}
