import { parse } from '../args';
import { printJson, type Command } from '../command';
import { runDoctor } from '../../engine/backend/doctor';

export const doctorCommand: Command = {
  help: `Usage: dixw doctor [--json]

Tries every backend (tensorflow-gpu, webgpu, tensorflow, wasm, cpu), reports what loaded, its version, wasm SIMD
and threads, the CUDA/cuDNN libraries that tfjs-node-gpu needs and which are missing, the WebGPU adapter (vendor,
architecture, description, software or hardware, buffer limits) or why Dawn found none (with Dawn's own messages),
and the backend that auto-selection will choose (webgpu only on a hardware adapter).`,
  async run(argv) {
    const v = parse('doctor', argv, { json: { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const r = await runDoctor();
    if (v.json) return printJson(r);
    console.log(`${r.platform}, Node ${r.node}`);
    for (const b of r.backends) {
      console.log(`${b.available ? 'ok  ' : 'no  '} ${b.name.padEnd(15)} ${b.version ?? ''} ${b.detail}`);
      if (b.fix) console.log(`     ${''.padEnd(15)} fix: ${b.fix}`);
    }
    if (r.cuda) {
      console.log(`CUDA: nvidia-smi ${r.cuda.nvidiaSmi ? 'found' : 'not found'}; libraries found: ${r.cuda.found.join(', ') || 'none'}`);
    }
    const w = r.webgpu;
    if (w.adapter) {
      const a = w.adapter;
      console.log(`WebGPU adapter: ${a.description || a.device} (vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, ${a.fallback ? 'software/fallback' : 'hardware'})`);
      console.log(`  limits: ${Object.entries(a.limits).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      console.log(`  auto-selection ${w.autoEligible ? 'takes it' : `skips it: ${w.reason}`}`);
    } else {
      console.log(`WebGPU: ${w.reason}`);
      for (const m of w.dawnMessages) console.log(`  Dawn: ${m}`);
    }
    if (w.fix) console.log(`  fix: ${w.fix}`);
    console.log(`auto-selection uses: ${r.chosen ?? 'nothing (no backend works)'}`);
  },
};
