// One forward and backward pass through a ViT that yields, for every block it runs, the attention actually used A_b
// and dA_b = d f_k / d A_b: a zero probe is added to each block's attention and tf.grads differentiates the target
// logit (summed over the batch, so each sample gets its own gradient) w.r.t. the probes.
import { tf } from '../../tf';
import type { AttentionPass, AttentionRunOptions } from '../../model/vision-model';

export interface AttentionGradients {
  /** Per block run, [N, heads, T, T]. */
  attentions: tf.Tensor[];
  gradients: tf.Tensor[];
}

/**
 * `run` is the pass (it must add o.probes to the attention of the blocks `blocks`, in that order); `probeShape` is
 * [N, heads, T, T].
 */
export function attentionGradients(run: (o: AttentionRunOptions) => AttentionPass, blocks: number[], probeShape: number[], targetClass: number): AttentionGradients {
  const probes = blocks.map(() => tf.zeros(probeShape));
  let kept: tf.Tensor[] = [];
  const score = (...p: tf.Tensor[]) => {
    const pass = run({ probes: new Map(blocks.map((b, i) => [b, p[i]])) });
    // tf.grads runs the pass in a tidy of its own: keep the attentions past it (as clones: a replaced attention is
    // the caller's tensor, not ours to dispose).
    kept = pass.attentions.map((a) => tf.keep(tf.clone(a)));
    return tf.sum(tf.slice(pass.logits, [0, targetClass], [-1, 1]));
  };
  try {
    const gradients = tf.grads(score)(probes);
    // Kept tensors escape every tidy; clones (sharing the data) are tracked by the caller's.
    return { attentions: kept.map((a) => tf.clone(a)), gradients };
  } finally {
    for (const a of kept) a.dispose();
    for (const p of probes) p.dispose();
  }
}
