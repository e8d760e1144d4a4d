// The files `dixw explain --npy/--png` writes for one image: the raw maps as float32 .npy (before any
// normalization), the exact preprocessed input, and colormapped overlays. Shared by the direct run (demo) and the
// explain job's executor, so both write byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Preprocessing } from '../../../shared/preprocessing';
import { writeNpy } from '../data/npy';
import { overlayPng } from '../data/overlay';
import { overlayPanelPng } from '../data/overlay-panel';

export interface OutputMap {
  methodId: string;
  map: Float32Array;
  height: number;
  width: number;
}

export interface ExplainOutputOptions {
  npyDir?: string;
  pngDir?: string;
  colormap?: string;
  opacity?: number;
  /** The PNG starts with the input image. */
  pngInput?: boolean;
  /** The overlay alone at the input's size, no colour bar. */
  pngPlain?: boolean;
}

export function withoutExtension(relPath: string): string {
  return relPath.replace(/\.[^./]+$/, '');
}

function writeUnder(dir: string, rel: string, write: (path: string) => void): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  write(p);
}

/**
 * npy: OUT/_input/<image>.npy and OUT/<method>/<image>.npy; png: OUT/<method>/<image>.png, the overlay with a colour
 * bar (and the input image in front with pngInput), or the plain overlay at the input's size with pngPlain.
 */
export function writeExplainOutputs(o: ExplainOutputOptions, prep: Preprocessing, relPath: string, unit: Float32Array, input: Float32Array, maps: readonly OutputMap[]): void {
  const { height: h, width: w, channels: c } = prep;
  const stem = withoutExtension(relPath);
  if (o.npyDir) {
    writeUnder(o.npyDir, `_input/${stem}.npy`, (p) => writeNpy(p, input, [h, w, c]));
    for (const m of maps) writeUnder(o.npyDir, `${m.methodId}/${stem}.npy`, (p) => writeNpy(p, m.map, [m.height, m.width]));
  }
  if (o.pngDir) {
    for (const m of maps) {
      const style = { height: h, width: w, channels: c, colormap: o.colormap ?? 'jet', opacity: o.opacity ?? 0.5 };
      const png = o.pngPlain ? overlayPng(unit, m.map, style) : overlayPanelPng(unit, m.map, { ...style, input: o.pngInput ?? false });
      writeUnder(o.pngDir, `${m.methodId}/${stem}.png`, (p) => writeFileSync(p, png));
    }
  }
}
