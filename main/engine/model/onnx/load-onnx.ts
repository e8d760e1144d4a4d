// Loads a model exported by torch.onnx.export (opsets 13-17) as a VisionModel: parse, check, convert the weights once,
// compile the graph while a probe image runs through it, run a second probe at another batch size to learn which
// dims follow the batch (so shape arithmetic from a cut point can be answered), and list the cut points. Every refusal
// is a UserError at load.
import { resolve } from 'node:path';
import { tf } from '../../tf';
import { UserError } from '../../errors';
import { PreprocessingSchema, type Preprocessing } from '../../../../shared/preprocessing';
import type { VisionModel } from '../vision-model';
import { compileGraph, type CompiledGraph } from './compile-graph';
import { buildPlan, runPlan } from './execute';
import { logicalShape } from './layout';
import { buildGraph, type OnnxGraph } from './onnx-graph';
import { defaultOpset, onnxContentHashOf, readExternalBytes, readOnnxModel } from './onnx-file';
import { listOnnxCutPoints } from './onnx-cut-points';
import { OnnxVisionModel } from './onnx-vision-model';
import { isHost } from './op-types';

export { SUPPORTED_OPS } from './ops/registry';
export { MIN_OPSET, MAX_OPSET } from './onnx-file';

/** sha256 of the .onnx file and its external data files. */
export function onnxContentHash(path: string): string {
  return onnxContentHashOf(path, readOnnxModel(path));
}

export interface OnnxSummary {
  opset: number;
  /** Input dims [batch, channels, height, width] (null: symbolic). */
  input: Array<number | null> | null;
  output: Array<number | null> | null;
  /** Op type -> number of nodes. */
  ops: Record<string, number>;
  initializers: number;
}

/** What an .onnx file holds, without compiling it (opset checked). */
export function inspectOnnx(path: string): OnnxSummary {
  const model = readOnnxModel(path);
  const opset = defaultOpset(model, path);
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const dims = (v: (typeof g.input)[number] | undefined) => {
    const t = v?.type?.value;
    if (!t || t.case !== 'tensorType' || !t.value.shape) return null;
    return t.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null));
  };
  const ops: Record<string, number> = {};
  for (const n of g.node) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
  return { opset, input: dims(g.input.find((v) => !inits.has(v.name))), output: dims(g.output[0]), ops, initializers: g.initializer.length };
}

/** The image input's [channels, height, width], checked; symbolic height/width come from the preprocessing. */
function inputImage(graph: OnnxGraph, prep: Preprocessing | null, path: string): { batch: number | null; c: number; h: number; w: number } {
  const dims = graph.input.dims;
  const shown = dims ? `[${dims.map((d) => d ?? '?').join(', ')}]` : 'unknown';
  const c = dims?.[1] ?? null;
  if (!dims || dims.length !== 4 || (c !== 1 && c !== 3)) {
    throw new UserError(`${path}: the input "${graph.input.name}" has shape ${shown}, not an image [batch, channels, height, width] with 1 or 3 channels.`,
      'DIX Workbench explains image classifiers; export the model with an input of shape [batch, 3, height, width].');
  }
  const h = dims[2] ?? prep?.height ?? null;
  const w = dims[3] ?? prep?.width ?? null;
  if (!h || !w) {
    throw new UserError(`${path}: the input's height and width are symbolic (${shown}) and no preprocessing gives them.`,
      'Export with a fixed image size, or add the model with --preprocessing (which sets height and width).');
  }
  return { batch: dims[0], c, h, w };
}

function preprocessingFor(prep: Preprocessing | null, img: { c: number; h: number; w: number }, path: string): Preprocessing {
  if (!prep) return PreprocessingSchema.parse({ height: img.h, width: img.w, channels: img.c, scale: 255, mean: [0], std: [1] });
  if (prep.height !== img.h || prep.width !== img.w || prep.channels !== img.c) {
    throw new UserError(`The preprocessing says ${prep.height}x${prep.width}x${prep.channels} but ${path} takes ${img.h}x${img.w}x${img.c} images.`,
      'Make the preprocessing agree with the model input (height, width, channels), or export the model at the size you preprocess to.');
  }
  for (const [k, v] of [['mean', prep.mean], ['std', prep.std]] as const) {
    if (v.length !== 1 && v.length !== img.c) throw new UserError(`The preprocessing's ${k} has ${v.length} entries for ${img.c} channel(s).`, `Give one ${k} or one per channel.`);
  }
  return prep;
}

/**
 * Runs the compiled graph at another batch size and records how each dim grows per batch item. Returns false when the
 * graph does not follow the batch (a fixed batch baked into constant reshapes).
 */
function learnBatchGrowth(cg: CompiledGraph, img: { c: number; h: number; w: number }): boolean {
  const b2 = cg.probeBatch + 1;
  const shapes = new Map<number, number[]>();
  try {
    tf.tidy(() => {
      const plan = buildPlan(cg, cg.inputId, [cg.outputId], false);
      const x = tf.randomUniform([b2, img.h, img.w, img.c], 0, 1, 'float32', 11);
      runPlan(cg, plan, x, { batch: b2, taping: false }, (id, v) => {
        if (!isHost(v)) shapes.set(id, logicalShape(v.shape, cg.values[id].perm));
      });
    });
  } catch {
    return false;
  }
  const out = shapes.get(cg.outputId);
  if (!out || out[0] !== b2) return false;
  for (const [id, s] of shapes) cg.values[id].growth = s.map((d, i) => d - cg.values[id].shape[i]);
  cg.values[cg.inputId].growth = [1, 0, 0, 0];
  return true;
}

export async function loadOnnxVisionModel(path: string, preprocessing: Preprocessing | null, hash?: string): Promise<VisionModel> {
  const file = resolve(path);
  const model = readOnnxModel(file);
  const opset = defaultOpset(model, file);
  const graph = buildGraph(model, opset, file, (t) => readExternalBytes(file, t));
  const img = inputImage(graph, preprocessing, file);
  const prep = preprocessingFor(preprocessing, img, file);
  const probeBatch = img.batch ?? 1;
  const probe = tf.randomUniform([probeBatch, img.h, img.w, img.c], 0, 1, 'float32', 7);
  let cg: CompiledGraph;
  try {
    cg = compileGraph(graph, [probeBatch, img.c, img.h, img.w], probe);
  } finally {
    probe.dispose();
  }
  const dispose = () => {
    cg.store.dispose();
    for (const t of cg.held) t.dispose();
  };
  const out = cg.values[cg.outputId];
  if (out.shape.length !== 2 || out.shape[0] !== probeBatch) {
    dispose();
    throw new UserError(`${file}: the output "${out.name}" has shape [${out.shape.join(', ')}] for ${probeBatch} image(s), not [batch, classes].`,
      'DIX Workbench explains classifiers: export the model so that it returns the logits, one row per image.');
  }
  const dynamic = learnBatchGrowth(cg, img);
  if (!dynamic && img.batch === null) {
    dispose();
    throw new UserError(`${file}: the graph does not run at a batch size other than ${probeBatch}, although its input's batch dimension is dynamic.`,
      'Export it again with dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} and no batch size fixed inside the model.');
  }
  // The weights now live in their cells only.
  cg.store.releaseConversions();
  const cuts = listOnnxCutPoints(cg, !dynamic);
  return new OnnxVisionModel(cg, cuts, prep, hash ?? onnxContentHashOf(file, model), file, dynamic ? null : probeBatch);
}
