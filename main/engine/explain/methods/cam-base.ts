// The gradient CAM family (pytorch-grad-cam's BaseCAM idea): each variant is a rule that turns the activation A and
// the class gradient g at one cut point into a [1, h, w] map; the base reads both from the image context (one
// backward pass shared by all variants) and resizes the rule's map bilinearly to the input. Each rule applies the
// final ReLU itself where its method's paper has it (weightedActivationMap does for Grad-CAM and its kin).
import { tf } from '../../tf';
import type { ExplanationMethod } from '../method';
import { resizeToInput } from '../map-ops';
import { cutsByName, layerNames } from './params';
import { asFeatureMap } from './vit-blocks';

export type CamParams = { layers: string[] };

/** A CAM rule (its name, summary and parameters are in shared/method-catalogue.ts). */
export interface CamVariant {
  id: string;
  /** A, g: [1, h, w, c] -> the map before resizing, [1, h, w, 1]. */
  rule(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor4D;
}

export function camMethod(v: CamVariant): ExplanationMethod<CamParams> {
  return {
    id: v.id,
    version: 1,
    resolveParams: (vm, o) => ({ layers: layerNames(vm, o, 1, v.id) }),
    cutPoints: (vm, p) => cutsByName(vm, p.layers),
    explain(ctx, p) {
      const cut = cutsByName(ctx.vm, p.layers)[0];
      // A ViT's tokens [1, T, D] become its patch grid [1, rows, cols, D] ([CLS] left out).
      const map = v.rule(asFeatureMap(ctx.vm, ctx.activation(cut)), asFeatureMap(ctx.vm, ctx.gradient(cut)));
      return resizeToInput(map, ctx.height, ctx.width);
    },
  };
}

/** relu(sum_c w_c A_c) for channel weights w: [1, 1, 1, c]. */
export function weightedActivationMap(activation: tf.Tensor4D, weights: tf.Tensor4D): tf.Tensor4D {
  return tf.relu(tf.sum(tf.mul(activation, weights), 3, true)) as tf.Tensor4D;
}
