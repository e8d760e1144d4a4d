// Chooses the compute backend: tfjs-node-gpu (CUDA), webgpu on a hardware adapter, tfjs-node, wasm, cpu, in that order
// of preference; webgpu on a software adapter only when asked for by name. The two native ones are optional
// dependencies that may be absent (no libtensorflow download here): each is tried
// and skipped with the reason kept, so `dixw doctor` can say why. `--backend` or DIXW_BACKEND forces one.
import { createRequire } from 'node:module';
import { tf } from '../tf';
import { UserError } from '../errors';
import { installFastConvGrads } from './fast-conv-grads';
import { installDepthwiseGrads } from './depthwise-grads';
import { installFastPoolGrads } from './fast-pool-grads';
import { cudaStatus } from './cuda-libraries';
import { installFastMatMulGrad } from './fast-matmul-grad';
import { installSharedIdentity } from './wasm-shared-identity';
import { installBackwardMemoryRelease } from './backward-memory';
import { installLeanBatchNormGrad } from './lean-batchnorm-grad';
import { enableWasmThreads, wasmThreadsSetting } from './wasm-threads';
import { hardwareGpuVisible, startWebGpu } from './webgpu';
import type { BackendInfo } from '../../../shared/provenance';

// The names and their order are the provenance schema's (shared/provenance.ts), defined once there.
export { BACKEND_NAMES, type BackendName } from '../../../shared/provenance';
import { BACKEND_NAMES, type BackendName } from '../../../shared/provenance';

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it could not be used, when !ok. */
  reason?: string;
}

const require = createRequire(import.meta.url);
const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let current: BackendInfo | null = null;

export function parseBackendName(s: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendName;
  throw new UserError(`Unknown backend "${s}".`, `Use one of: ${BACKEND_NAMES.join(', ')}.`);
}

function packageVersion(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<BackendInfo> {
  const pkg = NATIVE_PACKAGE[name];
  if (name === 'tensorflow-gpu' && process.platform === 'linux') {
    const missing = cudaStatus().missing;
    if (missing.length) throw new Error(`CUDA/cuDNN libraries missing: ${missing.join(', ')}`);
  }
  // require, not import: these are CJS packages that load a native addon, and a failure must stay catchable.
  require(pkg);
  await setBackendOrThrow('tensorflow');
  return { name, version: packageVersion(pkg), detail: name === 'tensorflow-gpu' ? 'libtensorflow (CUDA build)' : 'libtensorflow (CPU build)' };
}

async function setBackendOrThrow(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`the ${tfName} backend failed to initialise`);
  await tf.ready();
}

/** The emscripten module adds process-wide handlers that rethrow every uncaught error (printing its whole
 *  minified source); they are removed so that errors surface as ordinary Node errors. */
async function withoutEmscriptenHandlers<T>(f: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'];
  const listeners = (e: string) => process.listeners(e as 'uncaughtException') as Array<(...a: unknown[]) => void>;
  const before = events.map((e) => new Set(listeners(e)));
  try {
    return await f();
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i].has(l)) process.removeListener(e, l);
    });
  }
}

async function tryWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  installFastConvGrads('wasm');
  // wasm has no input gradient for depthwise convolutions (MobileNet, EfficientNet, ConvNeXt imports).
  installDepthwiseGrads();
  // wasm's MaxPoolGrad loses gradients on strided 'same' pools (fast-pool-grads.ts): never the stock kernel.
  installFastPoolGrads();
  // DIXW_WASM_KERNELS=stock leaves out the issue-12 kernels (the bench's before/after comparison).
  if (process.env.DIXW_WASM_KERNELS !== 'stock') {
    installFastMatMulGrad();
    installSharedIdentity();
  }
  // DIXW_WASM_THREADS=N|auto: the multi-threaded SIMD build through the worker_threads shim (wasm-threads.ts).
  const wanted = wasmThreadsSetting();
  const done = wanted ? enableWasmThreads(wasm, wanted) : null;
  try {
    await withoutEmscriptenHandlers(() => setBackendOrThrow('wasm'));
  } finally {
    done?.();
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return { name: 'wasm', version: packageVersion('@tensorflow/tfjs-backend-wasm'),
    detail: `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}` };
}

/** auto: part of the automatic order, where only a hardware adapter is taken (a software one is slower than wasm). */
async function tryWebGpu(auto: boolean): Promise<BackendInfo> {
  if (auto && !hardwareGpuVisible()) throw new Error('no GPU device node (/dev/dri/renderD*, /dev/nvidia0): no hardware adapter');
  const { adapter: a, version } = await startWebGpu(!auto);
  return { name: 'webgpu', version: packageVersion('@tensorflow/tfjs-backend-webgpu'),
    detail: `Dawn (webgpu ${version}) on ${a.description || a.device} (${a.vendor}, ${a.architecture || 'unknown architecture'}${a.fallback ? ', software adapter' : ''})` };
}

async function tryCpu(): Promise<BackendInfo> {
  installFastConvGrads('cpu');
  await setBackendOrThrow('cpu');
  return { name: 'cpu', version: packageVersion('@tensorflow/tfjs-backend-cpu'), detail: 'pure JavaScript' };
}

/** auto: the backend is being tried in the automatic order (webgpu then refuses a software adapter). */
export async function tryBackend(name: BackendName, auto = false): Promise<BackendInfo> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'webgpu':
      return tryWebGpu(auto);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

export function describeFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find module|MODULE_NOT_FOUND/.test(msg)) return 'package not installed (optional dependency)';
  return msg.split('\n')[0];
}

/**
 * Initialises the first backend that works (or exactly the forced one) and returns what was chosen.
 * Calling it again with the same request is free.
 */
export async function initBackend(force?: BackendName | null, log?: (attempt: BackendAttempt) => void): Promise<BackendInfo> {
  const requested = force ?? (process.env.DIXW_BACKEND ? parseBackendName(process.env.DIXW_BACKEND) : null);
  if (current && (!requested || requested === current.name)) return current;
  // Warnings such as the cpu backend's "install tfjs-node" banner would clutter every run's output.
  tf.env().set('PROD', true);
  // All backends (DIXW_WASM_KERNELS=stock: off): gradients released during the backward pass as soon as they are used,
  // unused fused-conv filter gradients not computed, batch norm's gradient without its full-size temporaries.
  if (process.env.DIXW_WASM_KERNELS !== 'stock') {
    installBackwardMemoryRelease();
    installLeanBatchNormGrad();
  }
  const order: BackendName[] = requested ? [requested] : [...BACKEND_NAMES];
  const failures: string[] = [];
  for (const name of order) {
    try {
      current = await tryBackend(name, !requested);
      log?.({ name, ok: true });
      return current;
    } catch (e) {
      const reason = describeFailure(e);
      failures.push(`${name}: ${reason}`);
      log?.({ name, ok: false, reason });
    }
  }
  throw new UserError(`No compute backend could be started (${failures.join('; ')}).`,
    requested ? `Run \`dixw doctor\` to see why ${requested} is unavailable, or choose another with --backend.` :
      'Run `dixw doctor` for details.');
}

/**
 * Throws unless TF.js runs on the backend a run is about to record in its provenance: a result must name the backend
 * that computed it, and a backend switched under a running engine would otherwise go unnoticed.
 */
export function requireActiveBackend(info: BackendInfo): void {
  const active = tf.getBackend();
  const expected = info.name === 'tensorflow-gpu' ? 'tensorflow' : info.name; // both native builds register as 'tensorflow'
  if (active !== expected) throw new Error(`The run records backend ${info.name} in its provenance, but TF.js is running on ${active ?? 'no backend'}.`);
}

export function currentBackend(): BackendInfo {
  if (!current) throw new Error('initBackend() has not been called');
  return current;
}
