// The accessibility statement (public, linked from every page's footer) and the operator's page
// that keeps its contact details and dates.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, submitForm } from '../../platform/http/forms.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { lastChange, presentStatement, statementFormValues } from './accessibility.presenter.ts';
import type { AccessibilityStatement, StatementSettings } from './accessibility.service.ts';

const TITLE = 'Accessibility statement for Amber';

export function registerAccessibilityRoutes(app: FastifyInstance, services: Services): void {
  const { accessibility } = services;

  app.get(paths.accessibility, { config: { permission: 'accessibility.read' } }, async (request, reply) =>
    reply.view('accessibility/views/statement.njk', {
      pageTitle: TITLE,
      statement: presentStatement(await accessibility.statement(request.actor)),
    }),
  );

  // Deployment-wide, like the operator's organisations: the unit acts for no organisation.
  const operating = { permission: 'deployment.operate', actsForOrganisation: false } as const;
  const formPage = (
    saved: StatementSettings | undefined,
    statement: AccessibilityStatement,
    values: Record<string, unknown>,
    errors?: ErrorView,
  ) => ({
    template: 'accessibility/views/operator-statement-form.njk',
    pageTitle: 'Accessibility statement contact details',
    backLink: { href: paths.operator.organisations, text: 'Back to the organisations' },
    contactSet: statement.contactSet,
    lastChange: lastChange(saved),
    values,
    errors,
  });

  app.get(
    paths.operator.accessibilityStatement,
    { config: operating },
    async (request: FastifyRequest<{ Querystring: { saved?: string } }>, reply) => {
      const { saved, statement } = await accessibility.settings(request.actor);
      const { template, ...context } = formPage(saved, statement, statementFormValues(saved, statement));
      return reply.view(template, {
        ...context,
        flash:
          request.query.saved === '1' && saved
            ? 'The accessibility statement’s contact details have been saved.'
            : undefined,
      });
    },
  );

  app.post(paths.operator.accessibilityStatement, { config: operating }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => accessibility.updateSettings(request.actor, body),
      () => `${paths.operator.accessibilityStatement}?saved=1`,
      async (errors) => {
        const { saved, statement } = await accessibility.settings(request.actor);
        // What the operator typed stays in the form, with the version it was read at (a stale one
        // is refused again until the page is reloaded, so nobody's change is overwritten unseen).
        const typed = Object.fromEntries(
          Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? v.join('\n') : '']),
        );
        return formPage(saved, statement, typed, errors);
      },
    );
  });
}
