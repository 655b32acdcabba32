// A queued diagnostic workbook read and checked in a worker thread of its own (issue 12): reading
// a large council's workbook (15,000 posts, 120,000 allocations) allocates ~1.8 GB of exceljs's
// and saxes's short-lived objects; on the main thread V8 grows the young generation from 64 to
// 128 MB for it, so the upload's peak sat ~10 MB under the 400 MB goal. In a worker with a 16 MB
// young generation, ended after the task so the write that follows reuses its pages, the peak
// is ~340 MB (bench/README.md, "The upload read and checked in a worker"), and the web server's
// event loop is not held by the check's synchronous part while it runs.
//
// Only the checked data, or only the problems, come back (by structured clone: ~0.2 s for the
// large council's 6.5 MB of data). A refusal of the file itself (not a workbook, too big, a
// merged area…) is a ValidationError, which platform/workers raises again as one with its issues.

import { Buffer } from 'node:buffer';
import type { Taxonomy } from '../../domain/diagnostic/baseline.ts';
import { refusedIfTooBig, type SpreadsheetLimits } from '../../platform/spreadsheet.ts';
import { WorkerPool } from '../../platform/workers/workers.ts';
import { parseWorkbook, readWorkbook, type SheetProblem } from './diagnostic-transfer.ts';
import type { ExerciseData } from './diagnostic.repository.ts';

export interface WorkbookCheckInput {
  /** The workbook's bytes (a Buffer arrives in a worker as a plain Uint8Array). */
  data: Uint8Array;
  limits: SpreadsheetLimits;
  taxonomy: Taxonomy;
}

/** The checked data, or every problem found (never both). */
export type WorkbookCheck =
  { data: ExerciseData; problems?: undefined } | { data?: undefined; problems: SheetProblem[] };

/** Reads a whole workbook and checks it as parseWorkbook does; run here or in a worker. */
export async function checkWorkbook(input: WorkbookCheckInput): Promise<WorkbookCheck> {
  const bytes = Buffer.isBuffer(input.data)
    ? input.data
    : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
  const sheets = await readWorkbook(bytes, input.limits);
  const { data, problems } = parseWorkbook(sheets, input.taxonomy);
  return problems.length > 0 ? { problems } : { data };
}

// ---------------------------------------------------------------------------------------------
// Off the main thread

/**
 * The worker's heap: a 16 MB young generation keeps exceljs's garbage from growing the heap (V8's
 * default grows it to 128 MB for this read on the main thread); the old generation holds the
 * rows kept and the checked data (~100 MB for 15,000 posts), with room for a larger council.
 */
export const CHECK_LIMITS = { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 16, timeoutMs: 5 * 60_000 };

// A pool of its own, one task at a time, its worker ended after each task: the heap the check grew
// goes with the thread, so the write that follows on the main thread reuses those pages instead of
// adding to them (kept warm, the write added ~70 MB to the peak: bench/README.md).
let checkers: WorkerPool | undefined;

/**
 * checkWorkbook in a worker thread (see the header). A workbook that needs more memory or time
 * than CHECK_LIMITS is refused as too big, as readSpreadsheetOffThread refuses one.
 */
export async function checkWorkbookOffThread(
  input: WorkbookCheckInput,
  limits: typeof CHECK_LIMITS = CHECK_LIMITS,
): Promise<WorkbookCheck> {
  checkers ??= new WorkerPool({ maxWorkers: 1, maxQueued: 20, maxTasksPerWorker: 1 });
  try {
    return await checkers.run<WorkbookCheck>({ module: new URL(import.meta.url), fn: 'checkWorkbook', input }, limits);
  } catch (error) {
    throw refusedIfTooBig(error, limits, 'upload its sheets one at a time as CSV files, or delete what is not data');
  }
}

/** Ends the checker's worker if one is running (tests, shutdown). */
export async function closeWorkbookChecker(): Promise<void> {
  const old = checkers;
  checkers = undefined;
  await old?.close();
}
