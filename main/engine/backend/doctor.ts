// `dixw doctor`: which compute backends work here and, for those that do not, why and what to do.
import { createRequire } from 'node:module';
import { cudaStatus } from './cuda-libraries';
import { BACKEND_NAMES, describeFailure, tryBackend, type BackendName } from './select-backend';
import { releaseWebGpu } from './webgpu';
import { webGpuDoctor, type WebGpuDoctor } from './webgpu-doctor';

export interface BackendReport {
  name: BackendName;
  available: boolean;
  version: string | null;
  detail: string;
  /** What to do when it is not available. */
  fix: string | null;
}

export interface DoctorReport {
  platform: string;
  node: string;
  backends: BackendReport[];
  cuda: { nvidiaSmi: boolean; found: string[]; missing: string[] } | null;
  /** The WebGPU adapter (or why there is none), whether auto-selection would take it, and the fix. */
  webgpu: WebGpuDoctor;
  chosen: BackendName | null;
}

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

const FIX: Record<BackendName, string> = {
  'tensorflow-gpu': 'On a Linux machine with an NVIDIA GPU: install CUDA 11.2 and cuDNN 8.1 (the libraries listed), then `npm install` with internet access so that @tensorflow/tfjs-node-gpu downloads libtensorflow. See the README, section "GPU".',
  tensorflow: '`npm install @tensorflow/tfjs-node@4.22.0` with internet access (it downloads libtensorflow from Google storage).',
  webgpu: 'See the webgpu lines below.',
  wasm: 'Reinstall dependencies (`npm ci`); @tensorflow/tfjs-backend-wasm ships its .wasm files in the package.',
  cpu: 'Reinstall dependencies (`npm ci`).',
};

export async function runDoctor(): Promise<DoctorReport> {
  const backends: BackendReport[] = [];
  const cuda = process.platform === 'linux' ? cudaStatus() : null;
  let webgpu: WebGpuDoctor | null = null;
  for (const name of BACKEND_NAMES) {
    const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : name === 'tensorflow' ? '@tensorflow/tfjs-node' : null;
    if (pkg && !installed(pkg)) {
      backends.push({ name, available: false, version: null, detail: `${pkg} is not installed (optional dependency; it drops out when libtensorflow cannot be downloaded)`, fix: FIX[name] });
      continue;
    }
    if (name === 'tensorflow-gpu' && cuda && cuda.missing.length) {
      backends.push({ name, available: false, version: null, detail: `installed, but CUDA/cuDNN libraries are missing: ${cuda.missing.join(', ')} (it would run on the CPU)`, fix: FIX[name] });
      continue;
    }
    try {
      // webgpu is tried as if forced, so that a software adapter is reported too (auto-selection skips it, below).
      const info = await tryBackend(name);
      if (name === 'webgpu') webgpu = webGpuDoctor(null);
      backends.push({ name, available: true, version: info.version, detail: info.detail, fix: name === 'webgpu' ? webgpu!.fix : null });
    } catch (e) {
      const detail = describeFailure(e);
      if (name === 'webgpu') webgpu = webGpuDoctor(detail);
      backends.push({ name, available: false, version: null, detail, fix: name === 'webgpu' ? webgpu!.fix : FIX[name] });
    }
  }
  webgpu ??= webGpuDoctor(null);
  const chosen = backends.find((b) => b.available && (b.name !== 'webgpu' || webgpu!.autoEligible))?.name ?? null;
  if (chosen !== 'webgpu') releaseWebGpu();
  if (chosen) await tryBackend(chosen, true);
  return { platform: `${process.platform} ${process.arch}`, node: process.version, backends, cuda, webgpu, chosen };
}
