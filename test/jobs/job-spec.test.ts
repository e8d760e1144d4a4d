// Job specs: defaults, unknown fields and values named in the message, and the state rules the UI shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobSpecError, keepsMaps, parseJobSpec } from '../../shared/job-spec';
import { canApply, canTransition, JOB_STATES } from '../../shared/job-state';
import { parseMessage, WorkerToHostMessageSchema, WORKER_PROTOCOL_VERSION } from '../../shared/worker-protocol';

function problems(input: unknown, options = {}): string[] {
  try {
    parseJobSpec(input, options);
  } catch (e) {
    assert.ok(e instanceof JobSpecError);
    return [...e.problems];
  }
  assert.fail('expected the spec to be refused');
}

test('an explain spec gets its defaults; a train spec is complete', () => {
  const explain = parseJobSpec({ kind: 'explain', model: '3', dataset: '/data/fmnist', methods: ['dix3', 'gradcam'], limit: 100, targetClass: 2 });
  assert.deepEqual(explain, { kind: 'explain', model: '3', dataset: '/data/fmnist', methods: ['dix3', 'gradcam'], limit: 100, targetClass: 2, keepMaps: 'all' });
  const train = parseJobSpec({ kind: 'train', dataset: '1', arch: 'small-cnn', epochs: 5, seed: 7, out: '/models/a', input: { height: 28, width: 28, channels: 1 } });
  assert.equal(train.kind === 'train' && train.permuteLabels, false);
  assert.equal(parseJobSpec({ kind: 'explain', model: 'm', dataset: 'd', methods: ['ig'], keepMaps: 10 }).kind, 'explain');
});

test('unknown fields are refused by name, with the allowed ones listed', () => {
  const [p] = problems({ kind: 'explain', model: 'm', dataset: 'd', methods: ['dix3'], step: 10, lyers: ['a'] });
  assert.match(p, /unknown fields "step", "lyers"/);
  assert.match(p, /allowed: kind, model, dataset, methods, layers, steps/);
  assert.match(problems({ kind: 'train', dataset: 'd', arch: 'a', epochs: 1, seed: 1, out: 'o', input: { height: 1, width: 1, channels: 1, depth: 2 } })[0], /input.*unknown field "depth"/);
});

test('bad values, kinds and names are explained', () => {
  assert.match(problems({ kind: 'explian' })[0], /kind "explian"; expected one of explain, train, sanity, metrics/);
  assert.match(problems({ model: 'm' })[0], /no "kind" field/);
  assert.match(problems(null)[0], /must be an object/);
  const p = problems({ kind: 'explain', model: '', dataset: 'd', methods: [], keepMaps: 'some', limit: -1 });
  assert.equal(p.length, 4, p.join('\n'));
  assert.ok(p.some((x) => /model must name/.test(x)));
  assert.ok(p.some((x) => /at least one method/.test(x)));
  assert.ok(p.some((x) => /keepMaps must be a number of images, "all" or "none"/.test(x)));
  assert.ok(p.some((x) => /limit must be a positive/.test(x)));
  assert.match(problems({ kind: 'explain', model: 'm', dataset: 'd', methods: ['dix3', 'dix3'] })[0], /listed twice/);
  assert.match(problems({ kind: 'explain', model: 'm', dataset: 'd', methods: ['dix3', 'magic'] }, { methods: ['dix3', 'ig'] })[0], /unknown method "magic" \(known: dix3, ig\)/);
  assert.match(problems({ kind: 'train', dataset: 'd', arch: 'a', epochs: 1.5, seed: 1, out: 'o' })[0], /epochs/);
});

test('keepMaps selects the first N items', () => {
  assert.equal(keepsMaps('all', 1000), true);
  assert.equal(keepsMaps('none', 0), false);
  assert.deepEqual([0, 1, 2, 3].map((i) => keepsMaps(3, i)), [true, true, true, false]);
});

test('job states move only along legal transitions', () => {
  assert.ok(canTransition('queued', 'running'));
  assert.ok(canTransition('running', 'paused'));
  assert.ok(canTransition('failed', 'queued'));
  assert.ok(!canTransition('done', 'queued'));
  assert.ok(!canTransition('paused', 'running'));
  assert.ok(!canTransition('cancelled', 'running'));
  for (const s of JOB_STATES) assert.ok(!canTransition(s, s), `${s} -> ${s}`);
  assert.ok(canApply('rm', 'done') && !canApply('rm', 'running'));
  assert.ok(canApply('retry', 'cancelled') && !canApply('retry', 'done'));
});

test('worker messages are validated, and a version mismatch is named', () => {
  assert.deepEqual(parseMessage(WorkerToHostMessageSchema, { v: WORKER_PROTOCOL_VERSION, type: 'ready', pid: 5 }), { ok: true, message: { v: 1, type: 'ready', pid: 5 } });
  const old = parseMessage(WorkerToHostMessageSchema, { v: 0, type: 'ready', pid: 5 });
  assert.ok(!old.ok && /protocol version 0 received, 1 expected/.test(old.reason));
  const bad = parseMessage(WorkerToHostMessageSchema, { v: 1, type: 'progress', jobId: 1, itemKey: 'a', fraction: 2 });
  assert.ok(!bad.ok && /invalid "progress" message: fraction/.test(bad.reason));
  const extra = parseMessage(WorkerToHostMessageSchema, { v: 1, type: 'ready', pid: 5, extra: true });
  assert.ok(!extra.ok);
});
