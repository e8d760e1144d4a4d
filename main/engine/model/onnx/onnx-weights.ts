// The modules of an ONNX model that a randomization test re-initializes (docs/methods.md §5.1-5.2): Conv, Gemm and MatMul (with its
// bias Add) weights and biases, BatchNormalization and LayerNormalization affine parameters (running statistics as
// statistics), grouped by PyTorch module path, in topological order. fresh() draws PyTorch's default initialization
// for the op in the converted layout: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for Conv/Linear weights (kaiming_uniform_
// with a = sqrt(5)) and biases, ones and zeros for normalization, running mean 0 and variance 1.
import { tf } from '../../tf';
import { weightSeed } from '../../sanity/weight-seed';
import type { ModelWeight, ParameterizedModule } from '../vision-model';
import type { ParamRecord } from './compile-graph';
import { modulePath } from './module-paths';
import type { WeightInit } from './op-types';

const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);

/** Fresh values of PyTorch's default initialization, seeded by (seed, module, role) alone. */
export function freshValues(shape: number[], init: WeightInit, seed: number, moduleName: string, role: string): tf.Tensor {
  if (init.kind === 'ones') return tf.ones(shape);
  if (init.kind === 'zeros') return tf.zeros(shape);
  const bound = 1 / Math.sqrt(init.fanIn);
  return tf.randomUniform(shape, -bound, bound, 'float32', weightSeed(seed, moduleName, role));
}

/** The module a parameter belongs to: its node's scope, else the initializer's name without .weight/.bias. */
function moduleOf(p: ParamRecord): string {
  const scoped = modulePath(p.node.name);
  if (scoped) return scoped;
  const init = p.cell.initializer;
  if (/\.(weight|bias|running_mean|running_var)$/.test(init)) return init.replace(/\.[^.]+$/, '');
  return p.node.name.replace(/^\//, '');
}

export function onnxParameterizedModules(params: ParamRecord[]): ParameterizedModule[] {
  const modules = new Map<string, ParameterizedModule>();
  for (const p of params) {
    const name = moduleOf(p);
    let m = modules.get(name);
    if (!m) {
      m = { name, className: p.className, isNormalization: NORMALIZATION.has(p.className), weights: [] };
      modules.set(name, m);
    }
    // PyTorch's own name when the initializer keeps it (attn.in_proj_bias -> in_proj_bias), else the op's role; two
    // weights of one role in one module stay distinct (and so do their seeds).
    const init = p.cell.initializer;
    const base = init.startsWith(name + '.') ? init.slice(name.length + 1) : p.role;
    const taken = new Set(m.weights.map((w) => w.role));
    let role = base;
    for (let k = 1; taken.has(role); k++) role = `${base}_${k}`;
    const { cell } = p;
    const initializer = p.init;
    const moduleName = name;
    const weight: ModelWeight = {
      role,
      isStatistic: p.isStatistic,
      read: () => cell.tensor,
      write: (value) => cell.write(value),
      fresh: (seed) => freshValues(cell.tensor.shape, initializer, seed, moduleName, role),
    };
    m.weights.push(weight);
  }
  return [...modules.values()];
}
