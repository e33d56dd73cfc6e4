#!/usr/bin/env node
// Sum the JSON reports of the CI runs (vitest and Playwright) into one closing line: "N passed, N failed, N skipped".
import fs from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.log(`${path.basename(file)}: no report (the run did not finish)`);
    missing++;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  let p, f, s;
  if (typeof r.numPassedTests === 'number') {
    // vitest (jest-compatible JSON)
    p = r.numPassedTests;
    // a file that failed to load has no failed assertion but counts as a failure
    const loadFailures = (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
    f = r.numFailedTests + loadFailures;
    s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (r.stats) {
    // Playwright
    p = r.stats.expected ?? 0;
    f = (r.stats.unexpected ?? 0) + (r.errors?.length ?? 0);
    s = r.stats.skipped ?? 0;
  } else {
    console.log(`${path.basename(file)}: unknown report format`);
    missing++;
    continue;
  }
  console.log(`${path.basename(file)}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(`Total: ${passed} passed, ${failed + missing} failed, ${skipped} skipped`);
process.exit(failed + missing > 0 ? 1 : 0);
