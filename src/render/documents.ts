// The PDF and Word renderers as the web app calls them, each loaded with its first document:
// pdfkit (with fontkit) and docx cost a process ~45 MB of memory and ~0.25 s of CPU to load, which
// a server that is never asked for a document (or not yet) need not pay at start. The CLI's
// `render` loads them the same way (src/cli/main.ts); the board pack's worker imports its own.
import type * as ReportPdf from './pdf.ts';
import type * as ReportDocx from './docx.ts';
import type * as BusinessCasePdf from './business-case-pdf.ts';
import type * as BusinessCaseDocx from './business-case-docx.ts';

export const renderReportPdf: typeof ReportPdf.renderReportPdf = async (...args) =>
  (await import('./pdf.ts')).renderReportPdf(...args);

export const renderReportDocx: typeof ReportDocx.renderReportDocx = async (...args) =>
  (await import('./docx.ts')).renderReportDocx(...args);

export const renderBusinessCasePdf: typeof BusinessCasePdf.renderBusinessCasePdf = async (...args) =>
  (await import('./business-case-pdf.ts')).renderBusinessCasePdf(...args);

export const renderBusinessCaseDocx: typeof BusinessCaseDocx.renderBusinessCaseDocx = async (...args) =>
  (await import('./business-case-docx.ts')).renderBusinessCaseDocx(...args);
