// Stored map size (main/store/map-codec.ts) of real 224x224 maps: DIX3 and IG on the VGG-16-shaped model over
// synthetic 224x224 images, encoded as a job stores them. Reports the median and largest blob in KB, the stored
// resolution, and the largest deviation after min-max normalization of the map read back at 224x224 (a map the codec
// kept at a lower resolution to fit 16 KB is resized back bilinearly, as an export of a reused map is).
import { tf } from '../main/engine/tf';
import { renderSynthSample, SYNTH_SHAPES } from '../main/engine/data/synth';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import type { VisionModel } from '../main/engine/model/vision-model';
import { decodeMap, encodeMap } from '../main/store/map-codec';
import { atSourceResolution } from '../main/jobs/executors/stored-map-values';

export interface MapSizeRow {
  method: string;
  maps: number;
  medianKB: number;
  maxKB: number;
  /** Stored grids, e.g. "224x224" or "112x112 (2 of 3)". */
  grids: string;
  maxError: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function maxNormalizedError(computed: Float32Array, stored: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of computed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo || 1;
  let worst = 0;
  for (let i = 0; i < computed.length; i++) worst = Math.max(worst, Math.abs(computed[i] - stored[i]) / range);
  return worst;
}

export function measureMapSizes(vm: VisionModel, images: number, methods = ['dix3', 'ig']): MapSizeRow[] {
  const size = vm.preprocessing.height;
  const plan = planMethods(vm, methods, {});
  const blobs = new Map<string, { bytes: number; grid: string; error: number }[]>(methods.map((m) => [m, []]));
  for (let i = 0; i < images; i++) {
    const { rgb } = renderSynthSample(100 + i, SYNTH_SHAPES[i % 4], size);
    const x = tf.tensor4d(Float32Array.from(rgb, (v) => v / 255), [1, size, size, 3]);
    const r = explainImage(vm, x, plan);
    x.dispose();
    for (const m of r.maps) {
      const blob = encodeMap(m.map, m.height, m.width);
      const back = decodeMap(blob);
      const error = maxNormalizedError(m.map, atSourceResolution(back).values);
      blobs.get(m.methodId)!.push({ bytes: blob.length, grid: `${back.height}x${back.width}`, error });
    }
  }
  return methods.map((method) => {
    const b = blobs.get(method)!;
    const grids = [...new Set(b.map((x) => x.grid))].map((g) => `${g}${b.every((x) => x.grid === g) ? '' : ` (${b.filter((x) => x.grid === g).length} of ${b.length})`}`);
    return { method, maps: b.length, medianKB: median(b.map((x) => x.bytes)) / 1024, maxKB: Math.max(...b.map((x) => x.bytes)) / 1024, grids: grids.join(', '), maxError: Math.max(...b.map((x) => x.error)) };
  });
}
