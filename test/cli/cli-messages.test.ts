// CLI messages as a user reads them: one prefix ("dixw sanity: ..." once), an unknown option that names the nearest
// known one, figure options checked before anything is drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearestOption } from '../../main/cli/args';
import { runCli } from '../helpers/run-cli';

test('an unknown option suggests the nearest known one', () => {
  const names = ['colormap', 'per-class', 'limit', 'keep-maps', 'methods', 'measure'];
  assert.equal(nearestOption('--colourmap', names), '--colormap');
  assert.equal(nearestOption('--per', names), '--per-class');
  assert.equal(nearestOption('--keepmaps', names), '--keep-maps');
  assert.equal(nearestOption('--method', names), '--methods');
  assert.equal(nearestOption('--zzz', names), null);
});

test('messages carry the command prefix once, and an unknown option names the nearest', () => {
  const r = runCli(['sanity', 'cascading', '--per-clas', '2']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^dixw sanity: unknown option --per-clas; did you mean --per-class\?/);
  assert.doesNotMatch(r.stderr, /dixw sanity: dixw sanity/);
  const e = runCli(['export', 'figure', '--job', '1', '--kind', 'comparison', '--out', 'x.pdf', '--size', 'huge']);
  assert.equal(e.status, 1);
  assert.match(e.stderr, /^dixw export figure: --size: a figure size is column \(3\.3 in wide\), page \(6\.9 in\) or WxH/);
  assert.doesNotMatch(e.stderr, /dixw export: dixw export/);
  const help = runCli(['export', '--help']).stdout;
  for (const s of ['--kind comparison', '--size column|page|WxH', '--colormap NAME', '(default jet)', '--title']) assert.ok(help.includes(s), s);
});
