// Runs the test suites: unit tests in parallel, then the lab tests one file at a time
// (they build network namespaces and share two cores). `node scripts/test.mjs unit|lab`
// runs one suite. Lab tests need root; without it they are reported as skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
}

const suites = {
  unit: { dir: 'build/js/test/unit', args: [] },
  lab: { dir: 'build/js/test/integration', args: ['--test-concurrency=1'] },
};
const only = process.argv[2];
let failed = false;
for (const [name, suite] of Object.entries(suites)) {
  if (only && only !== name) continue;
  const files = testFiles(suite.dir);
  if (files.length === 0) continue;
  console.log(`\n# ${name} tests (${files.length} files)`);
  const r = spawnSync(process.execPath, ['--test', '--test-force-exit', ...suite.args, ...files], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
