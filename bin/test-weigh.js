// A test reporter for `node bin/test.js --weigh`: for each top-level suite or test, the CPU its
// shard spent on it (the process's own and its finished child processes', from /proc/self/stat),
// one line each to the file AMBER_TEST_WEIGH_FILE names. bin/test.js adds these up per test file
// into test/weights.json, by which it deals the files into shards. Linux only (so is CI).
import { appendFileSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
function cpuSeconds() {
  // Fields after the command's closing parenthesis: state is the first, utime the 12th…cstime the 15th.
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

export default async function* weigh(source) {
  const out = process.env.AMBER_TEST_WEIGH_FILE;
  const started = new Map();
  for await (const event of source) {
    if (!out || event.data?.nesting !== 0) continue;
    const key = `${event.data.file}\t${event.data.name}`;
    if (event.type === 'test:dequeue') started.set(key, cpuSeconds());
    else if (event.type === 'test:complete' && started.has(key)) {
      appendFileSync(out, `${key}\t${(cpuSeconds() - started.get(key)).toFixed(2)}\n`);
      started.delete(key);
    }
  }
  // It writes its own file; the runner's destination gets nothing.
  yield '';
}
