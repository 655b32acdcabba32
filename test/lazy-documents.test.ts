// What a server's start does not load: the PDF and Word renderers (pdfkit with fontkit, docx) and
// nodemailer load with the first document or e-mail (src/render/documents.ts,
// src/platform/mail/mailer.ts), so a server that is not asked for one does not carry them: ~60 MB
// of memory and ~0.4 s of CPU per start (bench/README.md). The same check on the renderers
// themselves shows that it sees a package that is loaded.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LATER = ['pdfkit', 'fontkit', 'docx', 'svg-to-pdfkit', 'nodemailer'];

/** The packages a fresh Node process loads importing these modules of Amber. */
function packagesLoadedBy(...modules: string[]): string[] {
  const out = execFileSync(process.execPath, ['test/helpers/packages-loaded.ts', ...modules], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe("a server's start", () => {
  it('loads the web app, the services and the server without the document renderers or nodemailer', () => {
    const loaded = packagesLoadedBy('src/server.ts', 'src/app.ts', 'src/composition.ts');
    assert.ok(loaded.includes('fastify') && loaded.includes('kysely'), `the app was loaded: ${loaded.join(', ')}`);
    assert.deepEqual(
      LATER.filter((p) => loaded.includes(p)),
      [],
      'loaded at start, though only a download or an e-mail needs them',
    );
  });

  it('is seen loading them when the renderers are imported', () => {
    const loaded = packagesLoadedBy('src/render/pdf.ts', 'src/render/docx.ts');
    assert.deepEqual(
      ['pdfkit', 'fontkit', 'docx', 'svg-to-pdfkit'].filter((p) => !loaded.includes(p)),
      [],
      'the renderers were imported, so their packages must show',
    );
  });
});
