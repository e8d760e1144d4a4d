// `dixw doctor`'s webgpu part: the adapter Dawn offers (vendor, architecture, description, software or not, key limits),
// or why there is none, with Dawn's own words and the fix. Dawn writes its reasons (a refused driver, no Vulkan
// instance) to the process's stderr from native code, which JavaScript cannot capture; so when no adapter is found in
// this process, a child process asks again and its stderr is kept.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { type AdapterSummary, dawnOptions, hardwareGpuVisible, noAdapterReason, webGpuAdapter } from './webgpu';

const require = createRequire(import.meta.url);

export interface WebGpuDoctor {
  /** The adapter the backend started on, when it did. */
  adapter: AdapterSummary | null;
  /** Whether the automatic order would take it (a hardware adapter only). */
  autoEligible: boolean;
  /** Dawn's own messages while looking for an adapter (warnings, refused drivers). */
  dawnMessages: string[];
  /** Why there is no adapter, or why it is not chosen automatically. */
  reason: string | null;
  fix: string | null;
}

export const WEBGPU_FIX = {
  notInstalled: 'Reinstall dependencies (`npm install`): the optional package `webgpu` ships Dawn for linux x64/arm64, macOS and Windows; on another platform use the other backends.',
  noAdapter: 'Linux: install a Vulkan driver and the loader (Debian/Ubuntu: `apt-get install libvulkan1 mesa-vulkan-drivers`; NVIDIA: the proprietary driver brings its own Vulkan driver). Mesa must be 25 or newer for lavapipe (Debian 12: from bookworm-backports, `apt-get install -t bookworm-backports mesa-vulkan-drivers`). macOS (Metal) and Windows (D3D12) need no install. Dawn\'s own messages are listed by `dixw doctor`.',
  software: 'Only a software adapter (e.g. Mesa lavapipe): it is slower than wasm, so it is used only with `--backend webgpu` (tests, checks). On a machine with a GPU, install its Vulkan driver (Linux) to get a hardware adapter.',
} as const;

/** Dawn's messages when asked for an adapter in a fresh process (the child exits with the adapter's JSON, or null). */
export function dawnAdapterMessages(): { messages: string[]; found: boolean } {
  const script = `import('webgpu').then(async ({ create, globals }) => { Object.assign(globalThis, globals);
    const a = await create(${JSON.stringify(dawnOptions())}).requestAdapter({ powerPreference: 'high-performance' });
    console.log(JSON.stringify(a ? a.info.description : null)); process.exit(0); })`;
  let cwd: string;
  try {
    cwd = require.resolve('webgpu/package.json').replace(/node_modules[/\\]webgpu[/\\]package\.json$/, '');
  } catch {
    return { messages: [], found: false };
  }
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 30_000 });
  const messages = (r.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !/^at |^\s*$/.test(l)).slice(0, 12);
  return { messages, found: (r.stdout ?? '').trim().length > 0 && (r.stdout ?? '').trim() !== 'null' };
}

/** Completes the report after tryBackend('webgpu') succeeded (adapter known) or failed with `failure`. */
export function webGpuDoctor(failure: string | null): WebGpuDoctor {
  const adapter = webGpuAdapter();
  if (adapter) {
    const autoEligible = !adapter.fallback && hardwareGpuVisible();
    return { adapter, autoEligible, dawnMessages: [],
      reason: adapter.fallback ? 'a software adapter: never chosen automatically' : autoEligible ? null : 'no GPU device node visible',
      fix: adapter.fallback ? WEBGPU_FIX.software : null };
  }
  if (failure && /package not installed|Cannot find package 'webgpu'|dawn\.node/.test(failure)) {
    return { adapter: null, autoEligible: false, dawnMessages: [], reason: failure, fix: WEBGPU_FIX.notInstalled };
  }
  const dawn = dawnAdapterMessages();
  return { adapter: null, autoEligible: false, dawnMessages: dawn.messages, reason: failure ?? `no WebGPU adapter: ${noAdapterReason()}`, fix: WEBGPU_FIX.noAdapter };
}
