import { parseWithPositionals, required } from '../args';
import { UserError } from '../../engine/errors';
import { BACKEND_HELP, BACKEND_OPTION, printJson, startBackend, type Command } from '../command';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { loadVisionModel } from '../../engine/model/load-model';
import { defaultCutPoints } from '../../engine/model/cut-points';

export const layersCommand: Command = {
  help: `Usage: dixw layers MODEL [--json]     (or --model MODEL)

Lists the layers whose output is a valid cut point (the rest of the network depends on it alone; a layer
crossed by a skip connection is not one), their output shapes, which are block outputs, and the default
L, L-1, L-2 that DIX1/2/3 and the CAM methods use. MODEL is a LayersModel folder, an .onnx file (its cut points
are named by PyTorch module path, e.g. layer4 or features.denseblock4; nested modules that share an output are
listed as aliases) or a registered model id.
${DB_HELP}
${BACKEND_HELP}

Examples: dixw layers --model demo-output/model
          dixw layers resnet18.onnx`,
  async run(argv) {
    const { values: v, positionals } = parseWithPositionals('layers', argv,
      { ...BACKEND_OPTION, ...DB_OPTION, model: { type: 'string' }, json: { type: 'boolean' } }, { names: ['MODEL'], optional: 1 });
    if (v.help) return void console.log(this.help);
    if (positionals[0] !== undefined && v.model !== undefined) throw new UserError('Give the model once: as MODEL or as --model.');
    const ref = positionals[0] ?? required('layers', v, 'model');
    // Digits name a registered model (as everywhere: a folder called "3" is ./3).
    const path = /^[1-9][0-9]*$/.test(ref) ? await withService(v, async (s) => (await s.models.show(Number(ref))).model.path) : ref;
    await startBackend(v, true);
    const vm = await loadVisionModel(path);
    const blocks = vm.cuts.filter((c) => c.isBlockOutput);
    const defaults = defaultCutPoints(vm.cuts, Math.min(3, blocks.length)).map((c) => c.name).reverse();
    const role = (name: string) => ['L', 'L-1', 'L-2'][defaults.indexOf(name)] ?? '';
    if (v.json) {
      return printJson({ kind: vm.kind, cuts: vm.cuts.map((c) => ({ name: c.name, aliases: c.aliases ?? [], shape: c.shape, className: c.className, blockOutput: c.isBlockOutput, role: role(c.name) || null })),
        defaults: { L: defaults[0] ?? null, 'L-1': defaults[1] ?? null, 'L-2': defaults[2] ?? null }, preprocessing: vm.preprocessing });
    }
    console.log(`${'layer'.padEnd(24)} ${'type'.padEnd(20)} ${'output'.padEnd(14)} block  default`);
    for (const c of vm.cuts) {
      const aliases = c.aliases?.length ? `  (also: ${c.aliases.join(', ')})` : '';
      console.log(`${c.name.padEnd(24)} ${c.className.padEnd(20)} ${c.shape.join('x').padEnd(14)} ${(c.isBlockOutput ? 'yes' : '').padEnd(6)} ${role(c.name).padEnd(7)}${aliases}`.trimEnd());
    }
    const p = vm.preprocessing;
    const crop = p.resize ? `, resize ${p.resize} + centre crop` : '';
    console.log(`\ninput ${p.height}x${p.width}x${p.channels}${crop}, pixels / ${p.scale}, mean [${p.mean}], std [${p.std}]; ${vm.numClasses} classes (${vm.kind} model)`);
    vm.dispose();
  },
};
