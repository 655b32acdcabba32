// A report as a standalone HTML document: the web page's report content with the stylesheet
// inlined, for `amber render --format html` and for archiving.

import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type nunjucks from 'nunjucks';
import { createViewEnvironment } from '../platform/views/views.ts';
import { paths } from '../paths.ts';
import type { ReportView } from './report-view.ts';

const cssFile = join(dirname(fileURLToPath(import.meta.url)), '../../public/build/amber.css');
let env: nunjucks.Environment | undefined;
let css: string | undefined;

export function renderReportHtml(view: ReportView): string {
  env ??= createViewEnvironment({ paths });
  if (css === undefined) {
    try {
      css = readFileSync(cssFile, 'utf8');
    } catch {
      css = '';
    }
  }
  return env.render('report-document.njk', { view, css, code: view.priority.code, periodKey: view.period.key });
}
