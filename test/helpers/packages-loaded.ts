// Run as its own process (test/lazy-documents.test.ts): imports the modules named on the command
// line, one after another, and prints as JSON the packages under node_modules that were loaded, so
// a test can see what a server's start pulls in. A process of its own, because the test process
// has loaded everything already.
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const loaded = new Set<string>();
module.registerHooks({
  load(url, context, nextLoad) {
    const found = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (found) loaded.add(found[1]!);
    return nextLoad(url, context);
  },
});
for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);
process.stdout.write(JSON.stringify([...loaded].sort()));
