import { parse, required } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, startBackend, type Command } from '../command';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { loadVisionModel } from '../../engine/model/load-model';
import { defaultCutPoints } from '../../engine/model/cut-points';

export const layersCommand: Command = {
  help: `Usage: dixw layers --model MODEL [--json]

Lists the layers whose output is a valid cut point (the rest of the network depends on it alone; a layer
crossed by a skip connection is not one), their output shapes, which are block outputs, and the default
L, L-1, L-2 that DIX1/2/3 and the CAM methods use. MODEL is a model folder or a registered model id.
${DB_HELP}
${BACKEND_HELP}

Example: dixw layers --model demo-output/model`,
  async run(argv) {
    const v = parse('layers', argv, { ...BACKEND_OPTION, ...DB_OPTION, model: { type: 'string' }, json: { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const ref = required('layers', v, 'model');
    // Digits name a registered model (as everywhere: a folder called "3" is ./3).
    const path = /^[1-9][0-9]*$/.test(ref) ? await withService(v, async (s) => (await s.models.show(Number(ref))).model.path) : ref;
    await startBackend(v, true);
    const vm = await loadVisionModel(path);
    const blocks = vm.cuts.filter((c) => c.isBlockOutput);
    const defaults = defaultCutPoints(vm.cuts, Math.min(3, blocks.length)).map((c) => c.name).reverse();
    const role = (name: string) => ['L', 'L-1', 'L-2'][defaults.indexOf(name)] ?? '';
    if (v.json) {
      return printJson({ cuts: vm.cuts.map((c) => ({ name: c.name, shape: c.shape, className: c.className, blockOutput: c.isBlockOutput, role: role(c.name) || null })),
        defaults: { L: defaults[0] ?? null, 'L-1': defaults[1] ?? null, 'L-2': defaults[2] ?? null }, preprocessing: vm.preprocessing });
    }
    console.log(`${'layer'.padEnd(24)} ${'type'.padEnd(20)} ${'output'.padEnd(14)} block  default`);
    for (const c of vm.cuts) {
      console.log(`${c.name.padEnd(24)} ${c.className.padEnd(20)} ${c.shape.join('x').padEnd(14)} ${(c.isBlockOutput ? 'yes' : '').padEnd(6)} ${role(c.name)}`);
    }
    const p = vm.preprocessing;
    console.log(`\ninput ${p.height}x${p.width}x${p.channels}, pixels / ${p.scale}, mean [${p.mean}], std [${p.std}]; ${vm.numClasses} classes`);
  },
};
