// The webgpu backend in Node: TF.js's @tensorflow/tfjs-backend-webgpu on Dawn, through the npm package `webgpu`
// (Dawn's Node bindings, prebuilt for linux x64/arm64, macOS and Windows). The backend module wants navigator.gpu and
// the GPU* globals (GPUBufferUsage, GPUMapMode, ...) before it registers; the adapter is chosen here, not by TF.js,
// so that a software (fallback) adapter can be refused unless webgpu was asked for by name.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf';
import { installWebGpuSyncRead } from './webgpu-sync-read';
import { installWebGpuAddN } from './webgpu-addn';

const require = createRequire(import.meta.url);

/** The adapter limits that matter to the engine (buffer sizes bound the largest tensor and batch). */
export const KEY_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension'] as const;
export type KeyLimit = (typeof KEY_LIMITS)[number];

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (lavapipe, SwiftShader): never chosen automatically. */
  fallback: boolean;
  limits: Record<KeyLimit, number>;
}

interface WebGpuState {
  gpu: GPU;
  adapter: GPUAdapter | null;
  device: GPUDevice | null;
  summary: AdapterSummary | null;
}

let state: WebGpuState | null = null;

/** DIXW_DAWN_OPTIONS: Dawn's own options, ';'-separated (e.g. `backend=vulkan;adapter=NAME`), passed to create(). */
export function dawnOptions(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DIXW_DAWN_OPTIONS ?? '').split(';').map((s) => s.trim()).filter(Boolean);
}

/** Loads Dawn and sets the globals TF.js's webgpu backend reads. Throws when the package or its binary is missing. */
async function dawnGpu(): Promise<GPU> {
  if (state) return state.gpu;
  const dawn = (await import('webgpu')) as unknown as { create(options: string[]): GPU; globals: Record<string, unknown> };
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = dawn.create(dawnOptions());
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) g.navigator = {};
  g.navigator.gpu = gpu;
  state = { gpu, adapter: null, device: null, summary: null };
  return gpu;
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits = Object.fromEntries(KEY_LIMITS.map((k) => [k, Number(adapter.limits[k])])) as Record<KeyLimit, number>;
  // Also by name: Dawn's OpenGL ES backend reports Mesa's llvmpipe as a non-fallback adapter.
  const software = /llvmpipe|lavapipe|softpipe|swiftshader/i.test(`${info.description} ${info.device}`);
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    fallback: info.isFallbackAdapter === true || software, limits };
}

/** Linux: a hardware GPU shows as a DRM render node or an NVIDIA device; without one Dawn is not even loaded in the
 *  automatic order (it would find at most a software adapter, and print Dawn's driver warnings on every command). */
export function hardwareGpuVisible(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch { /* no /dev/dri */ }
  return fs.existsSync('/dev/nvidia0');
}

/** Why Dawn found no adapter, as far as can be seen from here (Dawn prints its own reason on stderr). */
export function noAdapterReason(): string {
  if (process.platform === 'linux') {
    const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];
    if (!loader.some((p) => fs.existsSync(p))) return 'no Vulkan loader (libvulkan.so.1) is installed';
    const icdDirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
    if (!icdDirs.some((d) => fs.existsSync(d) && fs.readdirSync(d).length > 0)) return 'no Vulkan driver (ICD) is installed';
    return 'Dawn found no usable Vulkan driver (an old one is refused, e.g. Debian 12\'s Mesa 22 lavapipe; `dixw doctor` shows Dawn\'s messages)';
  }
  return 'the system offers no WebGPU adapter to Dawn';
}

export interface WebGpuStart {
  adapter: AdapterSummary;
  version: string;
}

/**
 * Requests the adapter, refuses a software one unless allowed, registers TF.js's webgpu backend on it and sets it.
 * Throws with the reason when any of that fails; asserts the backend actually set.
 */
export async function startWebGpu(allowFallback: boolean): Promise<WebGpuStart> {
  const version = require('webgpu/package.json').version as string;
  // Already running (doctor tries each backend, then the chosen one again): an adapter gives only one device.
  if (state?.device && state.summary && tf.findBackend('webgpu')) {
    if (state.summary.fallback && !allowFallback) throw new Error(refusal(state.summary));
    await tf.setBackend('webgpu');
    return { adapter: state.summary, version };
  }
  const gpu = await dawnGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    releaseWebGpu();
    throw new Error(`no WebGPU adapter: ${noAdapterReason()}`);
  }
  const summary = summarizeAdapter(adapter);
  if (summary.fallback && !allowFallback) {
    releaseWebGpu();
    throw new Error(refusal(summary));
  }
  state!.adapter = adapter;
  state!.summary = summary;
  const { WebGPUBackend: Backend } = require('@tensorflow/tfjs-backend-webgpu') as { WebGPUBackend: typeof WebGPUBackend };
  installWebGpuSyncRead(Backend);
  installWebGpuAddN();
  // Our factory, not the package's (which registers itself when navigator.gpu exists): it uses the adapter chosen above.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => new Backend(await requestDevice(adapter), adapter.info));
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') {
    releaseWebGpu();
    throw new Error(`the webgpu backend failed to initialise on ${summary.description} (the device request was refused)`);
  }
  return { adapter: summary, version };
}

function refusal(a: AdapterSummary): string {
  return `only a software adapter (${a.description}); it is never chosen automatically, use --backend webgpu to force it`;
}

/** The device TF.js's own factory would request: the adapter's full limits, timestamp queries when offered. */
async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  // A lost device (driver reset, out of memory) is never silent.
  void device.lost.then((info) => {
    if (state?.device === device) console.error(`webgpu: the device was lost (${info.reason}): ${info.message}`);
  });
  state!.device = device;
  return device;
}

/** The adapter the webgpu backend runs on, or null when it is not started. */
export function webGpuAdapter(): AdapterSummary | null {
  return state?.summary ?? null;
}

/** Drops Dawn: the webgpu backend is removed, the device destroyed and navigator.gpu deleted, so that the process
 *  can exit (Dawn keeps Node alive while the object from create() is reachable). */
export function releaseWebGpu(): void {
  if (!state) return;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  const device = state.device;
  state = null;
  device?.destroy();
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator) delete g.navigator.gpu;
}
