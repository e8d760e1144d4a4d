import { parse } from '../args';
import { printJson, type Command } from '../command';
import { runDoctor } from '../../engine/backend/doctor';

export const doctorCommand: Command = {
  help: `Usage: dixw doctor [--json]

Tries every backend (tensorflow-gpu, tensorflow, wasm, cpu), reports what loaded, its version, wasm SIMD and
threads, the CUDA/cuDNN libraries that tfjs-node-gpu needs and which are missing, and the backend that
auto-selection will choose.`,
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
    console.log(`auto-selection uses: ${r.chosen ?? 'nothing (no backend works)'}`);
  },
};
