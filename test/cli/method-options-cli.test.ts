// The command line's method options come from the methods' parameter schemas (shared/method-catalogue.ts): --help
// lists each method's parameters with their defaults, and an option none of the chosen methods reads is refused,
// naming who reads it, before anything is queued.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { METHOD_CATALOGUE, methodParams } from '../../shared/method-catalogue';
import { paramUsage } from '../../shared/method-options';
import { hasStackTrace, runCli } from '../helpers/run-cli';

test('--help of explain, sanity and metrics lists every method\'s parameters and defaults from its schema', () => {
  for (const command of [['explain'], ['sanity'], ['metrics']]) {
    const r = runCli([...command, '--help']);
    assert.equal(r.status, 0, r.stderr);
    // The method lines: "  dix1, dix2, ...:" before their options, "  fullgrad, ...: no options".
    const listed = [...r.stdout.matchAll(/^ {2}([a-z0-9+, -]+):(?: no options)?$/gm)].flatMap((x) => x[1].split(', '));
    for (const m of METHOD_CATALOGUE) {
      assert.ok(listed.includes(m.id), `${command[0]} --help names ${m.id}`);
      for (const p of methodParams(m.id)) assert.ok(r.stdout.includes(`      ${paramUsage(p)}`), `${command[0]} --help: ${m.id} ${p.flag}`);
    }
  }
  // The schema's own default, not a hand-written one: smoothgrad's 25 samples, guided-ig's 200 steps.
  const help = runCli(['explain', '--help']).stdout;
  assert.match(help, /--samples N: noisy copies of the input per image \(default 25\)/);
  assert.match(help, /guided-ig:\n(?: {6}.*\n)*? {6}--steps N: integration steps N \(default 200\)/);
  // Metric options likewise, from the metric catalogue.
  assert.match(runCli(['metrics', '--help']).stdout, /\n {2}sic, aic:\n {6}--min-probability X: .*\(default 0\.5\)/);
});

test('an option no chosen method reads is refused naming the methods that read it; nothing is queued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-stray-'));
  try {
    const db = join(dir, 'wb.db');
    const r = runCli(['explain', '--model', join(dir, 'model'), '--data', join(dir, 'data'), '--methods', 'dix3,gradcam', '--samples', '5', '--db', db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--samples: read only by smoothgrad, not by this job's methods \(dix3, gradcam\)/);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    const m = runCli(['metrics', '--model', join(dir, 'model'), '--data', join(dir, 'data'), '--methods', 'gradcam', '--metrics', 'ins,seg',
      '--webp-quality', '50', '--db', db]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /--webp-quality: read only by sic, aic, not by this job's metrics \(ins, pa, miou, map, mf1\)/);
    const jobs = runCli(['jobs', 'list', '--json', '--db', db]);
    assert.deepEqual(JSON.parse(jobs.stdout), [], 'nothing was queued');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
