// Bring your own model, end to end against PyTorch itself (issue 10): torchvision's resnet18 and densenet121 with
// seeded random weights are exported at test time by Debian's python3-torch (/usr/bin/python3), imported with
// `dixw model add --preprocessing imagenet`, and explained with `dixw explain --method gradcam --npy`; the exact
// preprocessed inputs the workbench wrote (OUT/_input) then go through PyTorch, so that resizing and decoding cannot
// hide anything: the logits agree within 1e-4 of their scale and every Grad-CAM map has a Spearman rank correlation
// >= 0.999 with PyTorch's. `dixw sanity cascading --method gradcam` on resnet18 runs to completion. Skipped only when
// /usr/bin/python3 cannot import torch (CI installs python3-torch and python3-torchvision).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasStackTrace, runCli, type CliResult } from '../helpers/run-cli';
import { tempDir } from '../store/helpers';
import { pytorchUnavailable, runPython, spearman } from '../helpers/pytorch';
import { readNpy } from '../../main/engine/data/npy';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { assertClose } from '../engine/helpers';

const skip = pytorchUnavailable() ?? false;

/**
 * Exports the two models (weights=None under torch.manual_seed; batch norm statistics and affine parameters drawn
 * from a seeded generator too, so that folding them is not an identity) with their state dicts, and writes a small
 * ImageFolder of smooth random images of several sizes (PNG and JPEG), so that Resize(256) + CenterCrop(224) matters.
 */
const EXPORT = String.raw`
import sys, os, numpy as np, torch, torchvision
from PIL import Image
out = sys.argv[1]
torch.set_num_threads(2)
def randomize_bn(m, seed):
    g = torch.Generator().manual_seed(seed)
    u = lambda t, lo, hi: t.copy_(torch.rand(t.shape, generator=g) * (hi - lo) + lo)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                u(mod.weight, 0.8, 1.2); u(mod.bias, -0.1, 0.1); u(mod.running_mean, -0.1, 0.1); u(mod.running_var, 0.8, 1.2)
# resnet18: opset 17, dynamic batch axis; densenet121: torch.onnx.export's defaults (opset 14, fixed batch of 1).
specs = [('resnet18', torchvision.models.resnet18, 0, dict(opset_version=17, dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})),
         ('densenet121', torchvision.models.densenet121, 1, dict())]
for name, ctor, seed, kw in specs:
    torch.manual_seed(seed)
    m = ctor(weights=None).eval()
    randomize_bn(m, 100 + seed)
    torch.save(m.state_dict(), os.path.join(out, name + '.pt'))
    torch.onnx.export(m, torch.zeros(1, 3, 224, 224), os.path.join(out, name + '.onnx'), input_names=['input'], output_names=['logits'], **kw)
rng = np.random.default_rng(7)
for rel, (w, h) in [('a/img0.png', (300, 260)), ('a/img1.png', (256, 320)), ('b/img2.jpg', (240, 240))]:
    coarse = (rng.random((6, 6, 3)) * 255).astype(np.uint8)
    img = Image.fromarray(coarse).resize((w, h), Image.BILINEAR)
    noise = rng.integers(-20, 21, size=(h, w, 3))
    arr = np.clip(np.asarray(img, dtype=np.int64) + noise, 0, 255).astype(np.uint8)
    os.makedirs(os.path.join(out, 'data', os.path.dirname(rel)), exist_ok=True)
    Image.fromarray(arr).save(os.path.join(out, 'data', rel), quality=95)
`;

/**
 * PyTorch's logits and Grad-CAM (float64, from the same weights) for inputs given as the workbench's preprocessed
 * [H, W, C] .npy files. argv: dir, model name, module path of the cut, then triples (input.npy, target class, out
 * prefix). Grad-CAM: w_c = spatial mean of d f_k / d A, relu(sum_c w_c A_c), bilinear resize to the input size with
 * align_corners=False. The module's output is captured before any later in-place op (densenet's F.relu(inplace=True)).
 */
const REFERENCE = String.raw`
import sys, os, numpy as np, torch, torchvision, torch.nn.functional as F
torch.set_num_threads(2)
d, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
m = getattr(torchvision.models, name)(weights=None)
m.load_state_dict(torch.load(os.path.join(d, name + '.pt')))
m = m.double().eval()
mod = dict(m.named_modules())[path]
box = {}
def hook(_m, _i, out):
    box['a'] = out
    return out.clone()
mod.register_forward_hook(hook)
rest = sys.argv[4:]
for i in range(0, len(rest), 3):
    x = torch.from_numpy(np.load(rest[i]).astype(np.float64)).permute(2, 0, 1).unsqueeze(0).contiguous()
    k = int(rest[i + 1])
    logits = m(x)
    a = box['a']
    g = torch.autograd.grad(logits[0, k], a)[0]
    cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False)[0, 0]
    np.save(rest[i + 2] + '.logits.npy', logits[0].detach().numpy().astype('<f4'))
    np.save(rest[i + 2] + '.gradcam.npy', cam.detach().numpy().astype('<f4'))
`;

interface LayersJson {
  cuts: Array<{ name: string; aliases?: string[]; shape: number[]; isBlockOutput?: boolean }>;
  defaults: Record<string, string>;
}

describe('ONNX import end to end: torchvision resnet18 and densenet121 against PyTorch', { skip }, () => {
  let dir: string;
  let cleanup: (() => void) | undefined;
  const registered = new Map<string, string>();

  function dixw(args: string[]): CliResult {
    const r = runCli([...args, '--db', join(dir, 'workbench.db')], { DIXW_HOME: dir });
    assert.equal(r.status, 0, `dixw ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), `stack trace from dixw ${args.join(' ')}:\n${r.stderr}`);
    return r;
  }

  before(() => {
    ({ dir, cleanup } = tempDir('dixw-onnx-e2e-'));
    runPython(EXPORT, [dir]);
  });
  after(() => cleanup?.());

  // resnet18 at layer4 (as the brief names it); densenet121 at the cut the workbench lists for `features` (the
  // output of features.norm5, before the final ReLU), else its last dense block.
  for (const spec of [
    { name: 'resnet18', cut: (j: LayersJson) => j.cuts.find((c) => c.name === 'layer4' || c.aliases?.includes('layer4')), module: 'layer4' },
    { name: 'densenet121', cut: (j: LayersJson) => j.cuts.find((c) => c.name === 'features' || c.aliases?.includes('features'))
      ?? j.cuts.find((c) => c.name === 'features.denseblock4' || c.aliases?.includes('features.denseblock4')), module: null },
  ]) {
    test(`${spec.name}: model add, layers, explain --method gradcam; logits and Grad-CAM maps as PyTorch's`, async () => {
      const onnx = join(dir, `${spec.name}.onnx`);
      const added = JSON.parse(dixw(['model', 'add', onnx, '--name', spec.name, '--preprocessing', 'imagenet', '--json']).stdout) as
        { model: { id: number; info: { numClasses: number; preprocessing: { height: number; resize?: number } } }; status: string };
      assert.equal(added.status, 'added');
      assert.equal(added.model.info.numClasses, 1000);
      assert.deepEqual([added.model.info.preprocessing.height, added.model.info.preprocessing.resize], [224, 256]);
      const id = String(added.model.id);
      registered.set(spec.name, id);

      const layers = JSON.parse(dixw(['layers', '--model', onnx, '--json']).stdout) as LayersJson;
      const cut = spec.cut(layers);
      assert.ok(cut, `${spec.name}: no cut point for the expected module among ${layers.cuts.map((c) => [c.name, ...(c.aliases ?? [])].join('|')).join(', ')}`);
      assert.equal(cut.shape.length, 3, `${cut.name} is a feature map [h, w, c]`);
      assert.equal(cut.shape[0], 7, `${cut.name}: 7x7 at 224x224`);
      // The module PyTorch hooks: the name itself, else the alias that is a module path of the architecture.
      const module = spec.module ?? (['features', 'features.norm5', 'features.denseblock4'].find((m) => m === cut.name || cut.aliases?.includes(m)) as string);

      const out = join(dir, `explain-${spec.name}`);
      const summary = JSON.parse(dixw(['explain', '--model', id, '--data', join(dir, 'data'), '--methods', 'gradcam',
        '--layers', cut.name, '--npy', out, '--json']).stdout) as { images: Array<{ image: string; targetClass: number }> };
      assert.equal(summary.images.length, 3, 'three images explained');
      const targets = JSON.parse(readFileSync(join(out, 'targets.json'), 'utf8')) as { images: Record<string, { targetClass: number; predictedClass: number; methods: Record<string, { cutPoints: string[] }> }> };

      const triples: string[] = [];
      const images = Object.keys(targets.images).sort();
      assert.equal(images.length, 3);
      for (const image of images) {
        const stem = image.replace(/\.[^./]+$/, '');
        assert.deepEqual(targets.images[image].methods.gradcam.cutPoints, [cut.name]);
        triples.push(join(out, '_input', `${stem}.npy`), String(targets.images[image].targetClass), join(dir, `torch-${spec.name}-${stem.replace(/\//g, '_')}`));
      }
      runPython(REFERENCE, [dir, spec.name, module, ...triples]);

      // Logits: the workbench's own model (the one `model add` described) on the very inputs it explained.
      await initBackend();
      const vm = await loadVisionModel(onnx);
      try {
        assert.equal(vm.numClasses, 1000);
        images.forEach((image, i) => {
          const input = readNpy(triples[3 * i]);
          assert.deepEqual(input.shape, [224, 224, 3], `${image}: the preprocessed input`);
          const expected = readNpy(`${triples[3 * i + 2]}.logits.npy`).data;
          const logits = tf.tidy(() => vm.predict(tf.tensor4d(input.data as Float32Array, [1, 224, 224, 3])));
          assertClose(logits.dataSync(), expected, 1e-4, `${spec.name} ${image}: logits`);
          logits.dispose();
          let top = 0;
          for (let c = 1; c < expected.length; c++) if (expected[c] > expected[top]) top = c;
          assert.equal(targets.images[image].predictedClass, top, `${image}: top-1 class`);

          const map = readNpy(join(out, 'gradcam', `${image.replace(/\.[^./]+$/, '')}.npy`));
          const ref = readNpy(`${triples[3 * i + 2]}.gradcam.npy`);
          assert.deepEqual(map.shape, [224, 224]);
          const rho = spearman(map.data, ref.data);
          assert.ok(rho >= 0.999, `${spec.name} ${image}: Spearman of Grad-CAM maps ${rho.toFixed(5)} < 0.999`);
          // And the values themselves (float32 against float64 here: about 1e-6 of the map's scale).
          assertClose(map.data, ref.data, 1e-3, `${spec.name} ${image}: Grad-CAM map`);
        });
      } finally {
        vm.dispose();
      }
    });
  }

  test('resnet18: sanity cascading --method gradcam on 2 images completes, randomizing from fc down to conv1', () => {
    const id = registered.get('resnet18');
    assert.ok(id, 'resnet18 was not registered (its explain test failed)');
    const r = dixw(['sanity', 'cascading', '--model', id, '--data', join(dir, 'data'), '--method', 'gradcam', '--layers', 'layer4',
      '--measures', 'spearman-abs', '--limit', '2', '--json']);
    const s = JSON.parse(r.stdout) as { jobId: number; state: string; steps: Array<{ step: number; layers: string[] }>; summaries: unknown[]; skipped: unknown[] };
    assert.equal(s.state, 'done');
    assert.deepEqual(s.skipped, []);
    // Step 0 (trained) and one step per convolution and the fc layer (batch norms are folded in an eval export).
    assert.equal(s.steps.length, 1 + 21, `steps: ${s.steps.map((t) => t.layers.join('+')).join(', ')}`);
    assert.ok(s.steps[1].layers.some((l) => /^fc\b/.test(l)), `step 1 randomizes fc: ${s.steps[1].layers.join(', ')}`);
    assert.ok(s.steps[s.steps.length - 1].layers.some((l) => /^conv1\b/.test(l)), 'the last step reaches conv1');
    assert.ok(s.summaries.length > 0);
    const shown = JSON.parse(dixw(['jobs', 'show', String(s.jobId), '--json']).stdout) as { job: { state: string } };
    assert.equal(shown.job.state, 'done');
  });
});
