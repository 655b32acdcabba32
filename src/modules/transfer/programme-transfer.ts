// The organisation file's `diagnostic` and `efficiency` sections, for the transfer service: the
// rows of the described tables (programme-transfer.schemas.ts) become nested, sorted records on
// export, and a checked file's records become rows again on import, parents first, with the
// organisation's id, their parent's id and what they inherit from it. A shipped taxonomy version
// an exercise uses is named in the file, never copied, and inserted on import if the database
// does not hold it yet (it is the same everywhere).

import type { ProgrammeTransferRepository, ProgrammeRow, TableLink } from './programme-transfer.repository.ts';
import {
  DIAGNOSTIC_TABLES,
  EFFICIENCY_TABLES,
  SHIPPED_TAXONOMIES,
  type TableSpec,
  type ProgrammeRecord,
  type DiagnosticFileSection,
  type EfficiencyFileSection,
} from './programme-transfer.schemas.ts';

/** Every described table with its parent, parents first. */
function links(specs: readonly TableSpec[], parent?: TableSpec): { spec: TableSpec; parent: TableSpec | undefined }[] {
  return specs.flatMap((spec) => [{ spec, parent }, ...links(spec.children ?? [], spec)]);
}
const ALL = links([...DIAGNOSTIC_TABLES, ...EFFICIENCY_TABLES]);

/**
 * Children before parents, and the programme's restricting references first: a project holds on
 * to its business case and a saving to its opportunity, so those go before cases and opportunities.
 */
const DELETE_ORDER: TableLink[] = (() => {
  const first = [
    'gain_share_evaluation',
    'gain_share_agreement',
    'savings_entry',
    'implementation_milestone',
    'implementation_project',
  ];
  const rest = ALL.filter((l) => !first.includes(l.spec.table)).reverse();
  return [...first.map((t) => ALL.find((l) => l.spec.table === t)!), ...rest];
})();

type Value = string | number | boolean | null | undefined;
function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortRecords(spec: TableSpec, records: ProgrammeRecord[]): ProgrammeRecord[] {
  const keys = [...spec.order, ...spec.key];
  return [...records].sort((x, y) => {
    for (const k of keys) {
      const d = compare(x[k] as Value, y[k] as Value);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/** Rows grouped by the parent they hang from ('' for top-level tables), built once per export. */
type Grouped = Map<string, Map<string, ProgrammeRow[]>>;
function grouped(rows: Map<string, ProgrammeRow[]>): Grouped {
  const out: Grouped = new Map();
  for (const { spec } of ALL) {
    const byParent = new Map<string, ProgrammeRow[]>();
    for (const row of rows.get(spec.table) ?? []) {
      const k = spec.parentColumn ? String(row[spec.parentColumn]) : '';
      const list = byParent.get(k);
      if (list) list.push(row);
      else byParent.set(k, [row]);
    }
    out.set(spec.table, byParent);
  }
  return out;
}

function toRecords(spec: TableSpec, rows: Grouped, parentId = ''): ProgrammeRecord[] {
  return sortRecords(
    spec,
    (rows.get(spec.table)?.get(parentId) ?? []).map((row) => {
      const record: ProgrammeRecord = {};
      for (const c of spec.columns) record[c.field] = row[c.column] ?? null;
      for (const child of spec.children ?? []) record[child.list] = toRecords(child, rows, row.id as string);
      return record;
    }),
  );
}

export type ProgrammeSections = {
  diagnostic: DiagnosticFileSection;
  efficiency: EfficiencyFileSection;
};

/** The organisation's diagnostic and programme, as the file's two sections. */
export async function readProgramme(
  repo: ProgrammeTransferRepository,
  organisationId: string,
): Promise<ProgrammeSections> {
  const rows = await repo.read(ALL, organisationId);
  const byParent = grouped(rows);
  const diagnostic = { shippedTaxonomies: [] } as unknown as DiagnosticFileSection & Record<string, unknown>;
  for (const spec of DIAGNOSTIC_TABLES) diagnostic[spec.list] = toRecords(spec, byParent);
  const efficiency = {} as EfficiencyFileSection & Record<string, unknown>;
  for (const spec of EFFICIENCY_TABLES) efficiency[spec.list] = toRecords(spec, byParent);
  const own = new Set((rows.get('diagnostic_taxonomy_version') ?? []).map((r) => r.id as string));
  const used = new Set<string>();
  for (const r of rows.get('diagnostic_exercise') ?? []) used.add(r.taxonomy_version_id as string);
  for (const r of rows.get('diagnostic_taxonomy_version') ?? []) if (r.based_on_id) used.add(r.based_on_id as string);
  const shipped = [...used].filter((id) => !own.has(id)).sort();
  const names = await repo.taxonomyNames(shipped);
  diagnostic.shippedTaxonomies = shipped.map((id) => {
    if (!SHIPPED_TAXONOMIES.has(id))
      throw new Error(
        `Transfer: an exercise uses the taxonomy version ${id}, which is neither the organisation's own nor one Amber ships`,
      );
    return { id, name: names.get(id) ?? SHIPPED_TAXONOMIES.get(id)!.name };
  });
  return { diagnostic, efficiency };
}

/** Own taxonomy versions in an order that puts the version each extends first. */
function basesFirst(records: ProgrammeRecord[]): ProgrammeRecord[] {
  const byId = new Map(records.map((r) => [r.id as string, r]));
  const out: ProgrammeRecord[] = [];
  const placed = new Set<string>();
  const place = (r: ProgrammeRecord, depth: number) => {
    const id = r.id as string;
    if (placed.has(id) || depth > records.length) return;
    const base = byId.get(r.basedOnId as string);
    if (base) place(base, depth + 1);
    placed.add(id);
    out.push(r);
  };
  for (const r of records) place(r, 0);
  return out;
}

/** The rows of the two sections, table by table, parents first. */
export function programmeRows(
  sections: Partial<ProgrammeSections>,
  organisationId: string,
): { spec: TableSpec; rows: ProgrammeRow[] }[] {
  const out = new Map<string, ProgrammeRow[]>(ALL.map((l) => [l.spec.table, []]));
  const add = (spec: TableSpec, records: ProgrammeRecord[], parent?: ProgrammeRow) => {
    for (const record of records) {
      const row: ProgrammeRow = {};
      for (const c of spec.columns) {
        const v = record[c.field];
        if (v === undefined && c.added) continue;
        row[c.column] = v;
      }
      if (spec.owned) row.organisation_id = organisationId;
      if (spec.parentColumn) row[spec.parentColumn] = parent!.id;
      for (const [own, theirs] of Object.entries(spec.inherited ?? {})) row[own] = parent![theirs];
      out.get(spec.table)!.push(row);
      for (const child of spec.children ?? []) add(child, (record[child.list] as ProgrammeRecord[]) ?? [], row);
    }
  };
  for (const spec of DIAGNOSTIC_TABLES) {
    const records =
      ((sections.diagnostic as Record<string, unknown> | undefined)?.[spec.list] as ProgrammeRecord[] | undefined) ??
      [];
    add(spec, spec.table === 'diagnostic_taxonomy_version' ? basesFirst(records) : records);
  }
  for (const spec of EFFICIENCY_TABLES)
    add(
      spec,
      ((sections.efficiency as Record<string, unknown> | undefined)?.[spec.list] as ProgrammeRecord[] | undefined) ??
        [],
    );
  return ALL.map((l) => ({ spec: l.spec, rows: out.get(l.spec.table)! }));
}

/** Counts by table, for the import's result and its audit event. */
export function programmeCounts(
  tables: readonly { spec: TableSpec; rows: readonly unknown[] }[],
): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t.spec.table, t.rows.length]));
}

/**
 * Writes the sections' rows. The shipped taxonomy versions they use are inserted first when this
 * database does not hold them yet (they are inserted lazily elsewhere, on first use).
 */
export async function writeProgramme(
  repo: ProgrammeTransferRepository,
  tables: readonly { spec: TableSpec; rows: ProgrammeRow[] }[],
): Promise<void> {
  const rowsOf = (t: string) => tables.find((x) => x.spec.table === t)?.rows ?? [];
  const own = new Set(rowsOf('diagnostic_taxonomy_version').map((r) => r.id as string));
  const wanted = new Set<string>();
  for (const r of rowsOf('diagnostic_exercise')) wanted.add(r.taxonomy_version_id as string);
  for (const r of rowsOf('diagnostic_taxonomy_version')) if (r.based_on_id) wanted.add(r.based_on_id as string);
  const shipped = [...wanted].filter((id) => !own.has(id) && SHIPPED_TAXONOMIES.has(id));
  const present = await repo.presentTaxonomies(shipped);
  const [version, fns, processes] = DIAGNOSTIC_TABLES[0]!.children
    ? [DIAGNOSTIC_TABLES[0]!, ...DIAGNOSTIC_TABLES[0]!.children]
    : [];
  for (const id of shipped.filter((x) => !present.has(x))) {
    const { name, taxonomy } = SHIPPED_TAXONOMIES.get(id)!;
    await repo.insert([
      {
        spec: { ...version!, columns: version!.columns.filter((c) => c.column !== 'created_at') },
        rows: [{ id, organisation_id: null, name, based_on_id: null }],
      },
      {
        spec: fns!,
        rows: taxonomy.functions.map((f, i) => ({ taxonomy_version_id: id, code: f.code, name: f.name, position: i })),
      },
      {
        spec: processes!,
        rows: taxonomy.processes.map((p, i) => ({
          taxonomy_version_id: id,
          code: p.code,
          name: p.name,
          function_code: p.functionCode,
          type: p.type,
          volume_driver: p.volumeDriver ?? null,
          position: i,
        })),
      },
    ]);
  }
  await repo.insert(tables);
}

/** Deletes the organisation's diagnostic and programme (before the rest of it, on replace). */
export async function deleteProgramme(
  repo: ProgrammeTransferRepository,
  organisationId: string,
): Promise<Record<string, number>> {
  return Object.fromEntries(await repo.delete(DELETE_ORDER, organisationId));
}
