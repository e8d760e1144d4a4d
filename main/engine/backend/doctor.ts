// `dixw doctor`: which compute backends work here and, for those that do not, why and what to do.
import { createRequire } from 'node:module';
import { cudaStatus } from './cuda-libraries';
import { BACKEND_NAMES, describeFailure, tryBackend, type BackendName } from './select-backend';

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

const FIX: Record<BackendName, string> = {
  'tensorflow-gpu': 'On a Linux machine with an NVIDIA GPU: install CUDA 11.2 and cuDNN 8.1 (the libraries listed), then `npm install` with internet access so that @tensorflow/tfjs-node-gpu downloads libtensorflow. See the README, section "GPU".',
  tensorflow: '`npm install @tensorflow/tfjs-node@4.22.0` with internet access (it downloads libtensorflow from Google storage).',
  wasm: 'Reinstall dependencies (`npm ci`); @tensorflow/tfjs-backend-wasm ships its .wasm files in the package.',
  cpu: 'Reinstall dependencies (`npm ci`).',
};

export async function runDoctor(): Promise<DoctorReport> {
  const backends: BackendReport[] = [];
  const cuda = process.platform === 'linux' ? cudaStatus() : null;
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
  return { platform: `${process.platform} ${process.arch}`, node: process.version, backends, cuda, chosen };
}
