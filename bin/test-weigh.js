// A test reporter for `node bin/test.js --weigh`: for each top-level suite or test, the CPU its
// shard spent on it — the process's own, its finished child processes' (from /proc/self/stat), and
// that of its descendants still running (Chromium and its renderers, which a shard keeps from one
// browser journey to the next and which were counted, if at all, only when the browser closed) —
// one line each to the file AMBER_TEST_WEIGH_FILE names. bin/test.js adds these up per test file
// into test/weights.json, by which it deals the files into shards. Linux only (so is CI).
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
/** A process's stat fields after its command's closing parenthesis (state first), or undefined once gone. */
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}
// utime, stime, cutime, cstime: the process's own time and that of its children it has waited for.
const ticksOf = (f) => Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);

function cpuSeconds() {
  const children = new Map();
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statOf(name);
    if (!f) continue;
    stats.set(Number(name), f);
    const parent = Number(f[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  // A descendant that ends is counted once: in its parent's waited-for time from then on.
  let ticks = 0;
  const pending = [process.pid];
  while (pending.length > 0) {
    const pid = pending.pop();
    const f = pid === process.pid ? statOf('self') : stats.get(pid);
    if (f) ticks += ticksOf(f);
    pending.push(...(children.get(pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}

export default async function* weigh(source) {
  const out = process.env.AMBER_TEST_WEIGH_FILE;
  const started = new Map();
  for await (const event of source) {
    if (!out || event.data?.nesting !== 0) continue;
    const key = `${event.data.file}\t${event.data.name}`;
    if (event.type === 'test:dequeue') started.set(key, cpuSeconds());
    else if (event.type === 'test:complete' && started.has(key)) {
      // Never below nothing: Chromium's renderers, orphaned when a browser closes, take the CPU
      // counted while they ran out of the sum; what they ran was counted then.
      // Then its wall time, to tell waiting (sleeps, timeouts, a busy machine) from work.
      const wall = (event.data.details?.duration_ms ?? 0) / 1000;
      appendFileSync(out, `${key}\t${Math.max(0, cpuSeconds() - started.get(key)).toFixed(2)}\t${wall.toFixed(2)}\n`);
      started.delete(key);
    }
  }
  // It writes its own file; the runner's destination gets nothing.
  yield '';
}
