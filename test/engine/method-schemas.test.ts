// Methods and metrics declare their parameters and capabilities once, as data in shared/ (issue 16 items 3 and 4): the
// engine resolves through those schemas, an option no selected method or metric reads is refused naming who reads
// it, and the metric groups and model-kind filters follow the declarations, not names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobSpec, JobSpecError } from '../../shared/job-spec';
import { CATALOGUE_METHOD_IDS, METHOD_CATALOGUE, methodParams } from '../../shared/method-catalogue';
import { METRIC_CATALOGUE, METRIC_GROUPS, needsMasks } from '../../shared/metric-catalogue';
import { getMethod, METHOD_IDS, methodIdsFor } from '../../main/engine/explain/registry';
import { expandMetricIds, listMetrics, METRIC_IDS } from '../../main/engine/metrics/registry';
import { UserError } from '../../main/engine/errors';
import type { VisionModel } from '../../main/engine/model/vision-model';

/** Methods without cut points never look at the model while resolving their parameters. */
const NO_MODEL = null as unknown as VisionModel;

function problems(spec: Record<string, unknown>): string[] {
  try {
    parseJobSpec(spec, { methods: CATALOGUE_METHOD_IDS });
    return [];
  } catch (err) {
    if (err instanceof JobSpecError) return [...err.problems];
    throw err;
  }
}

test('the engine implements exactly the methods and metrics the shared catalogues declare, in the same order', () => {
  assert.deepEqual([...METHOD_IDS], [...CATALOGUE_METHOD_IDS]);
  assert.deepEqual([...METRIC_IDS], METRIC_CATALOGUE.map((m) => m.id));
});

test('a method with no options given resolves to the defaults its schema declares', () => {
  for (const id of ['ig', 'guided-ig', 'blur-ig', 'smoothgrad']) {
    const resolved = getMethod(id).resolveParams(NO_MODEL, {});
    const declared = methodParams(id);
    assert.ok(declared.length > 0, `${id} declares parameters`);
    for (const p of declared) assert.equal(resolved[p.key], p.default, `${id}.${p.key}`);
  }
  // Given values win over the defaults.
  assert.equal(getMethod('smoothgrad').resolveParams(NO_MODEL, { samples: 3 }).samples, 3);
});

test('a bad parameter value is refused naming the method, the flag and an example', () => {
  assert.throws(() => getMethod('smoothgrad').resolveParams(NO_MODEL, { samples: 0 }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.match(err.message, /^smoothgrad: --samples must be a positive integer \(got 0\)/);
    assert.match(err.hint ?? '', /--samples 25/);
    return true;
  });
  assert.throws(() => getMethod('ig').resolveParams(NO_MODEL, { baseline: 'channel-min' }), /ig: --baseline must be one of black, zero/);
});

test('an option that no selected method reads is refused, naming the methods that read it', () => {
  const base = { kind: 'explain', model: 'm', dataset: 'd' };
  const stray = problems({ ...base, methods: ['dix3', 'gradcam'], samples: 5 });
  assert.equal(stray.length, 1);
  assert.match(stray[0], /^--samples: read only by smoothgrad, not by this job's methods \(dix3, gradcam\)/);
  assert.match(stray[0], /spec field "samples"/);
  assert.deepEqual(problems({ ...base, methods: ['dix3', 'smoothgrad'], samples: 5 }), [], 'read by one of the methods: accepted');
  assert.match(problems({ ...base, methods: ['ig'], layers: ['block3_pool'] })[0], /^--layers: read only by dix1, dix2, dix3, dix2-mul, dix3-grads, gradcam,/);
  assert.match(problems({ ...base, methods: ['gradcam'], steps: 4 })[0], /^--steps: read only by dix1, .*ig, guided-ig, blur-ig/);
  // Sanity specs share the rule.
  assert.match(problems({ kind: 'sanity', test: 'cascading', model: 'm', dataset: 'd', methods: ['gradcam'], noise: 0.2 })[0], /^--noise: read only by smoothgrad/);
});

test('metric options and method variants are checked the same way', () => {
  const base = { kind: 'metrics', model: 'm', dataset: 'd', methods: ['dix3'] };
  assert.match(problems({ ...base, metrics: ['ins', 'del'], webpQuality: 70 })[0], /^--webp-quality: read only by sic, aic, not by this job's metrics \(ins, del\)/);
  assert.deepEqual(problems({ ...base, metrics: ['ins', 'sic'], webpQuality: 70 }), []);
  const variants = [{ name: 'cam N=5', method: 'gradcam', steps: 5 }];
  assert.match(problems({ ...base, methods: ['gradcam'], metrics: ['ins'], variants })[0], /^variant "cam N=5": --steps: read only by/);
});

test('a spec read back from the store is not re-checked for stray options (only submissions are)', () => {
  assert.doesNotThrow(() => parseJobSpec({ kind: 'explain', model: 'm', dataset: 'd', methods: ['gradcam'], steps: 4 }));
});

test('the seg group is every localisation metric, which are the metrics that need masks', () => {
  const localisation = METRIC_CATALOGUE.filter((m) => m.category === 'localisation').map((m) => m.id);
  assert.deepEqual(METRIC_GROUPS.seg, localisation);
  assert.deepEqual(expandMetricIds(['seg']), localisation);
  assert.deepEqual(listMetrics().filter((m) => needsMasks(m.id)).map((m) => m.id), localisation, 'the masks they need follow the category');
  assert.deepEqual(expandMetricIds(['all']), METRIC_CATALOGUE.map((m) => m.id));
});

test('which methods apply to a model follows their declared model kinds', () => {
  const kinds = (kind: string) => METHOD_CATALOGUE.filter((m) => m.modelKinds === kind).map((m) => m.id);
  const cnn = methodIdsFor({ attention: () => null });
  const vit = methodIdsFor({ attention: () => ({}) });
  for (const id of kinds('vit')) assert.ok(!cnn.includes(id) && vit.includes(id), id);
  for (const id of kinds('cnn')) assert.ok(cnn.includes(id) && !vit.includes(id), id);
  for (const id of kinds('any')) assert.ok(cnn.includes(id) && vit.includes(id), id);
  assert.ok(kinds('vit').length > 0 && kinds('cnn').length > 0);
});
