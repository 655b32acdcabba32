// Writes docs/permissions.md from the permission table and the app's routes.
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { buildServices } from '../src/composition.ts';
import { permissionsDoc } from '../src/permissions-doc.ts';
import type { DB } from '../src/schema.ts';

const handle = await openDatabase<DB>({ dataDir: 'memory://' });
const app = await buildApp({
  config: { env: 'test', logLevel: 'silent' },
  db: handle.db,
  units: handle.units,
  services: buildServices(handle),
});
writeFileSync(new URL('../docs/permissions.md', import.meta.url), permissionsDoc(app.routeTable));
await app.close();
await handle.close();
console.log('Wrote docs/permissions.md');
