// The GPU build of libtensorflow that @tensorflow/tfjs-node-gpu 4.22 downloads (TensorFlow 2.9) loads CUDA 11.2 and
// cuDNN 8.1 libraries at run time; without them it silently runs on the CPU. They are looked up explicitly so that
// auto-selection does not call a CPU run "tensorflow-gpu", and `dixw doctor` can name what is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CUDA_LIBRARIES = [
  'libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10',
  'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8',
];

export interface CudaStatus {
  nvidiaSmi: boolean;
  found: string[];
  missing: string[];
}

function quiet(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** Linux only (the GPU build exists for Linux and Windows; on Windows the loader reports failures itself). */
export function cudaStatus(): CudaStatus {
  const cache = quiet('ldconfig', ['-p']) ?? quiet('/sbin/ldconfig', ['-p']) ?? '';
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const present = (lib: string) => cache.includes(lib) || dirs.some((d) => existsSync(join(d, lib)));
  return {
    nvidiaSmi: quiet('nvidia-smi', ['-L']) !== null,
    found: CUDA_LIBRARIES.filter(present),
    missing: CUDA_LIBRARIES.filter((l) => !present(l)),
  };
}
