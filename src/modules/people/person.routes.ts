// Pages and API for people.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { personInput } from './person.schemas.ts';

type Params = { id: string };

export function registerPeopleRoutes(app: FastifyInstance, services: Services): void {
  const { people, organisations } = services;

  async function formPage(
    request: FastifyRequest,
    title: string,
    action: string,
    values: Record<string, any>,
    extra: Record<string, unknown> = {},
    errors?: ErrorView,
  ) {
    const [home, partners] = await Promise.all([
      organisations.getOwn(request.actor),
      organisations.listPartners(request.actor),
    ]);
    return {
      template: 'people/views/person-form.njk',
      pageTitle: title,
      section: 'people',
      backLink: { href: paths.people.list },
      action,
      values,
      errors,
      employerItems: selectItems(
        [home, ...partners],
        (o) => o.id,
        (o) => o.name,
        (values.employerId as string) ?? home.id,
      ),
      ...extra,
    };
  }

  app.get(paths.people.list, { config: { permission: 'reference.read' } }, async (request, reply) =>
    reply.view('people/views/person-list.njk', {
      pageTitle: 'People',
      section: 'people',
      people: await people.list(request.actor),
    }),
  );
  app.get(paths.people.new, { config: { permission: 'reference.edit' } }, async (request, reply) => {
    const { template, ...ctx } = await formPage(request, 'Add a person', paths.people.list, {});
    return reply.view(template, ctx);
  });
  app.post(paths.people.list, { config: { permission: 'reference.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => people.create(request.actor, body),
      () => paths.people.list,
      async (errors) => formPage(request, 'Add a person', paths.people.list, body, {}, errors),
    );
  });
  app.get(
    routes.personEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const person = await people.get(request.actor, request.params.id);
      const { template, ...ctx } = await formPage(
        request,
        `Change ${person.name}`,
        paths.people.edit(person.id),
        person,
        { deleteAction: paths.people.delete(person.id) },
      );
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.personEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { id } = request.params;
      return submitForm(
        reply,
        () => people.update(request.actor, id, body),
        () => paths.people.list,
        async (errors) =>
          formPage(
            request,
            'Change the person',
            paths.people.edit(id),
            body,
            { deleteAction: paths.people.delete(id) },
            errors,
          ),
      );
    },
  );
  app.post(
    routes.personDelete,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { id } = request.params;
      const person = await people.get(request.actor, id);
      const { version } = formBody(request);
      return submitForm(
        reply,
        () => people.delete(request.actor, id, version),
        () => paths.people.list,
        async (errors) =>
          formPage(
            request,
            `Change ${person.name}`,
            paths.people.edit(id),
            person,
            { deleteAction: paths.people.delete(id) },
            errors,
          ),
      );
    },
  );

  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.people,
      permission: 'reference.read',
      summary: 'List people',
      tag: 'People',
      success: { status: 200, description: 'People' },
    },
    async (request) => people.list(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.people,
      permission: 'reference.edit',
      summary: 'Add a person',
      tag: 'People',
      body: personInput,
      success: { status: 201, description: 'The person' },
    },
    async (request, reply) => reply.status(201).send(await people.create(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.person,
      permission: 'reference.edit',
      summary: 'Change a person',
      tag: 'People',
      body: personInput,
      success: { status: 200, description: 'The person' },
    },
    async (request) => people.update(request.actor, (request.params as Params).id, request.body),
  );
  apiOperation(
    app,
    {
      method: 'DELETE',
      url: routes.api.person,
      permission: 'reference.edit',
      summary: 'Remove a person nobody refers to',
      tag: 'People',
      success: { status: 204, description: 'Removed' },
    },
    async (request, reply) => {
      await people.delete(
        request.actor,
        (request.params as Params).id,
        (request.body as { version?: unknown } | undefined)?.version,
      );
      return reply.status(204).send();
    },
  );
}
