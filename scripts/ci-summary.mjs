#!/usr/bin/env node
// Sum the JSON reports of the CI runs (vitest and Playwright) into one closing line: "N passed, N failed, N skipped".
import fs from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
const failures = [];
// eslint-disable-next-line no-control-regex -- strips the terminal colour codes of the messages
const firstLine = (m) => String(m ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? '';
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
    for (const t of r.testResults ?? []) {
      const failedAssertions = (t.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of failedAssertions) failures.push(`${path.basename(file)}: ${path.relative(process.cwd(), t.name)} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      if (t.status === 'failed' && failedAssertions.length === 0) failures.push(`${path.basename(file)}: ${path.relative(process.cwd(), t.name)} did not load: ${firstLine(t.message)}`);
    }
    s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (r.stats) {
    // Playwright
    p = r.stats.expected ?? 0;
    f = (r.stats.unexpected ?? 0) + (r.errors?.length ?? 0);
    const walk = (suite, trail) => {
      for (const spec of suite.specs ?? []) {
        for (const test of spec.tests ?? []) {
          if (test.status === 'unexpected') {
            const err = test.results?.at(-1)?.error?.message;
            failures.push(`${path.basename(file)}: ${[...trail, spec.title].join(' › ')}: ${firstLine(err)}`);
          }
        }
      }
      for (const child of suite.suites ?? []) walk(child, [...trail, child.title]);
    };
    for (const suite of r.suites ?? []) walk(suite, [suite.title]);
    for (const e of r.errors ?? []) failures.push(`${path.basename(file)}: ${firstLine(e.message)}`);
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
if (failures.length > 0) {
  console.log('\nFailed:');
  for (const line of failures) console.log(`  ${line.slice(0, 400)}`);
  console.log('');
}
console.log(`Total: ${passed} passed, ${failed + missing} failed, ${skipped} skipped`);
process.exit(failed + missing > 0 ? 1 : 0);
