// How far this machine lets two processes scale at all: the same fixed engine work (IG on one image of the throughput
// bench's model, repeated) run in one process alone, then in two processes at once, alternately, so that a load change
// falls on both. ceiling = 2 x (time alone) / (time of the pair). Two worker processes of a job cannot scale better
// than this; vCPUs that share a physical core, cache or memory bandwidth make it less than 2. Used by the throughput
// section of `npm run bench -- --torch` and `--throughput`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

export interface CeilingResult { rounds: number; aloneMs: number; pairMs: number; ceiling: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Starts `n` children, lets each build and warm up its model, then sends "go" to all at once; returns each one's
 *  timed milliseconds. */
function runTogether(n: number, size: number, reps: number): Promise<number[]> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', SELF, '--child', String(size), String(reps)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  let ready = 0;
  return Promise.all(children.map((child) => new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString();
      if (!before.includes('ready\n') && out.includes('ready\n') && ++ready === n) for (const c of children) c.stdin.write('go\n');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /ms (\d+(?:\.\d+)?)/.exec(out);
      if (code !== 0 || !m) reject(new Error(`parallel-ceiling child failed (exit ${code}): ${out}`));
      else resolve(Number(m[1]));
    });
  })));
}

export async function measureParallelCeiling(o: { quick: boolean; size?: number }): Promise<CeilingResult> {
  const size = o.size ?? 64;
  const reps = o.quick ? 3 : 6;
  const rounds = o.quick ? 2 : 3;
  const alone: number[] = [];
  const pair: number[] = [];
  for (let r = 0; r < rounds; r++) {
    alone.push((await runTogether(1, size, reps))[0]);
    pair.push(Math.max(...(await runTogether(2, size, reps))));
  }
  const aloneMs = median(alone);
  const pairMs = median(pair);
  return { rounds, aloneMs, pairMs, ceiling: (2 * aloneMs) / pairMs };
}

async function childMain(size: number, reps: number): Promise<void> {
  const { tf } = await import('../main/engine/tf');
  const { initBackend } = await import('../main/engine/backend/select-backend');
  const { buildArchitecture } = await import('../main/engine/model/architectures/registry');
  const { wrapModel } = await import('../main/engine/model/layers/layers-vision-model');
  const { explainImage, planMethods } = await import('../main/engine/explain/explain-image');
  await initBackend('wasm');
  const vm = wrapModel(buildArchitecture('vgg16', { inputShape: [size, size, 3], numClasses: 4, width: 1, seed: 1 }), null, 'bench', null);
  const x = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 11) as import('@tensorflow/tfjs-core').Tensor4D;
  const plan = planMethods(vm, ['ig'], {});
  explainImage(vm, x, plan);
  process.stdout.write('ready\n');
  await new Promise<void>((r) => process.stdin.once('data', () => r()));
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) explainImage(vm, x, plan);
  process.stdout.write(`ms ${(performance.now() - t0).toFixed(1)}\n`);
  process.exit(0);
}

if (process.argv[2] === '--child') await childMain(Number(process.argv[3]), Number(process.argv[4]));
