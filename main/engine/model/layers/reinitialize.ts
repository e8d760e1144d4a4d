// Fresh values for one weight from the layer's own initializer (docs/methods.md §5.2; Adebayo et al. re-run each variable's
// original initializer). The initializer comes from the layer's serialized config (kernelInitializer,
// biasInitializer, gammaInitializer, ...), so a model loaded from disk is treated like a built one, with its seed
// replaced by one derived from (run seed, layer name, weight role): the same seed always gives the same weights,
// whichever steps ran before, and no two layers share a random stream.
import { tf, tfl } from '../../tf';
import { UserError } from '../../errors';
import { weightSeed } from '../../sanity/weight-seed';
import type { Layer, LayerWeight } from './run-from';

type Initializer = ReturnType<typeof tfl.initializers.zeros>;
type SerializedInitializer = { className: string; config: Record<string, unknown> };

/** The last path component of a weight's name: 'block1_conv1/kernel' -> 'kernel'. */
export function weightRole(w: LayerWeight): string {
  const name = w.originalName;
  return name.slice(name.lastIndexOf('/') + 1);
}

/** 'kernel' -> 'kernelInitializer', 'moving_mean' -> 'movingMeanInitializer', 'depthwise_kernel' -> also 'depthwiseInitializer'. */
function initializerKeys(role: string): string[] {
  const camel = role.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const keys = [`${camel}Initializer`];
  if (role.endsWith('_kernel')) keys.push(`${camel.slice(0, -'Kernel'.length)}Initializer`);
  return keys;
}

function serializedInitializer(layer: Layer, role: string): SerializedInitializer {
  const config = layer.getConfig() as Record<string, unknown>;
  for (const key of initializerKeys(role)) {
    const v = config[key] as SerializedInitializer | undefined;
    if (v && typeof v === 'object' && typeof v.className === 'string') return v;
  }
  throw new UserError(`Cannot re-initialize weight "${role}" of layer "${layer.name}" (${layer.getClassName()}): its config names no initializer for it.`,
    'Randomization tests re-run each layer\'s own initializer; use standard Keras layers, or leave this layer out.');
}

/** The layer's initializer for this weight, re-seeded. */
export function seededInitializer(layer: Layer, role: string, seed: number): Initializer {
  const s = serializedInitializer(layer, role);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[s.className];
  if (!entry) throw new UserError(`Layer "${layer.name}" uses the initializer "${s.className}", which TF.js does not know.`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...(s.config as tf.serialization.ConfigDict), seed: weightSeed(seed, layer.name, role) }) as Initializer;
}

/** A new tensor of fresh values for `weight` (caller owns it). */
export function freshWeightValues(layer: Layer, weight: LayerWeight, seed: number): tf.Tensor {
  const init = seededInitializer(layer, weightRole(weight), seed);
  return tf.tidy(() => init.apply(weight.shape as number[], weight.dtype));
}
