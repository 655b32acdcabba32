// An in-memory PGlite database started from a data folder's tarball (a test's template, a backup
// restored to be checked) without PGlite's own unpacking. PGlite's `loadDataDir` unpacks the tar
// on every start and, for each of its ~700 entries, looks up every folder above it, writes it and
// sets its time, each through Emscripten's path lookups: ~100 ms of a ~270 ms start from the
// demo's template on this 2-core machine, paid by the suite a few hundred times a run. Here the
// tarball is read once per set of bytes (nanotar) into its folders and files, and each start makes
// the folders in order and writes each file once, straight into Emscripten's in-memory file system,
// before PostgreSQL starts (`initialSyncFs`): PGlite then finds the database and resumes it, as it
// does after its own unpacking. Each file's bytes are copied into the new file system, never
// written in place, so one set of bytes serves any number of databases.

import { parseTar } from 'nanotar';
import type { MemoryFS, PGlite } from '@electric-sql/pglite';
import type { Filesystem } from '@electric-sql/pglite/basefs';

/** The calls made on Emscripten's file system (its types are not a dependency of Amber). */
interface EmscriptenFS {
  mkdirTree(path: string): void;
  mkdir(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
}

/** A data folder as read from its tarball: folders parents first, then files. */
interface Unpacked {
  folders: string[];
  files: { path: string; data: Uint8Array }[];
}

/** Where PGlite keeps its data folder in Emscripten's file system (PGDATA). */
const PGDATA = '/pglite/data';

/** The same bytes read once: the suite starts hundreds of databases from one or two templates. */
const unpacked = new WeakMap<ArrayBufferLike, Unpacked>();

/**
 * The tarball's folders and files, or undefined when it holds anything else (a link, a device) or
 * is not a tarball PGlite wrote: the caller then lets PGlite unpack it as before.
 */
function unpack(bytes: Uint8Array): Unpacked | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return undefined; // gzip: PGlite unpacks it
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  // nanotar reads the whole of the buffer under a view; a part of a larger one is copied out first.
  const own = whole ? bytes : bytes.slice();
  const known = unpacked.get(own.buffer);
  if (known) return known;
  let entries: ReturnType<typeof parseTar>;
  try {
    entries = parseTar(own);
  } catch {
    return undefined;
  }
  const folders = new Set<string>();
  const files: Unpacked['files'] = [];
  const addParents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  };
  for (const entry of entries) {
    // nanotar has taken leading slashes and `..` out of the name: it is a path inside the folder.
    const path = entry.name.replace(/\/+$/, '');
    if (path === '') return undefined;
    addParents(path);
    if (entry.type === 'directory') folders.add(path);
    else if (entry.type === 'file')
      files.push({ path, data: ('data' in entry ? entry.data : undefined) ?? new Uint8Array(0) });
    else return undefined;
  }
  if (!files.some((f) => f.path === 'PG_VERSION')) return undefined;
  // A Set keeps the order of first mention, and a parent is always mentioned before its child.
  const result = { folders: [...folders], files };
  if (whole) unpacked.set(own.buffer, result);
  return result;
}

/**
 * A PGlite file system in memory that holds, when PostgreSQL starts, the data folder the tarball
 * holds; undefined when the bytes are not such a tarball (give them to `loadDataDir` instead).
 */
export function memoryFromTarball(MemoryFSClass: typeof MemoryFS, bytes: Uint8Array): Filesystem | undefined {
  const folder = unpack(bytes);
  if (!folder) return undefined;
  return new (class extends MemoryFSClass {
    override async initialSyncFs(): Promise<void> {
      await super.initialSyncFs();
      const { FS } = (this.pg as PGlite).Module as unknown as { FS: EmscriptenFS };
      FS.mkdirTree(PGDATA);
      for (const path of folder.folders) FS.mkdir(`${PGDATA}/${path}`);
      // writeFile copies the bytes into the new file (they are not the file system's to own).
      for (const { path, data } of folder.files) FS.writeFile(`${PGDATA}/${path}`, data);
    }
  })();
}
