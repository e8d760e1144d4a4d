// `dixw doctor`: which compute backends work here and, for those that do not, why and what to do. The GPU build
// of libtensorflow that @tensorflow/tfjs-node-gpu 4.22 downloads (TensorFlow 2.9) loads CUDA 11.2 and cuDNN 8.1
// libraries at run time; without them it silently runs on the CPU, so they are looked up explicitly.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tf } from '../tf';
import { BACKEND_NAMES, describeFailure, tryBackend, type BackendName } from './select-backend';

export const CUDA_LIBRARIES = [
  'libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10',
  'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8',
];

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

function cudaLibraries(): { nvidiaSmi: boolean; found: string[]; missing: string[] } {
  let cache = '';
  try {
    cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    cache = '';
  }
  const inPath = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const fs = require('node:fs') as typeof import('node:fs');
  const present = (lib: string) => cache.includes(lib) || inPath.some((d) => fs.existsSync(`${d}/${lib}`));
  let nvidiaSmi = false;
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore' });
    nvidiaSmi = true;
  } catch {
    nvidiaSmi = false;
  }
  return { nvidiaSmi, found: CUDA_LIBRARIES.filter(present), missing: CUDA_LIBRARIES.filter((l) => !present(l)) };
}

const FIX: Record<BackendName, string> = {
  'tensorflow-gpu': 'On a Linux machine with an NVIDIA GPU: install CUDA 11.2 and cuDNN 8.1 (the libraries listed), then `npm install` with internet access so that @tensorflow/tfjs-node-gpu downloads libtensorflow. See the README, section "GPU".',
  tensorflow: '`npm install @tensorflow/tfjs-node@4.22.0` with internet access (it downloads libtensorflow from Google storage).',
  wasm: 'Reinstall dependencies (`npm ci`); @tensorflow/tfjs-backend-wasm ships its .wasm files in the package.',
  cpu: 'Reinstall dependencies (`npm ci`).',
};

export async function runDoctor(): Promise<DoctorReport> {
  const backends: BackendReport[] = [];
  const cuda = process.platform === 'linux' ? cudaLibraries() : null;
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
      const info = await tryBackend(name);
      backends.push({ name, available: true, version: info.version, detail: info.detail, fix: null });
    } catch (e) {
      backends.push({ name, available: false, version: null, detail: describeFailure(e), fix: FIX[name] });
    }
  }
  const chosen = backends.find((b) => b.available)?.name ?? null;
  if (chosen) await tryBackend(chosen);
  void tf;
  return { platform: `${process.platform} ${process.arch}`, node: process.version, backends, cuda, chosen };
}
