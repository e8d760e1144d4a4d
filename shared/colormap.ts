// Colormaps as pure functions value in [0,1] -> [r, g, b] bytes. No Node imports: the browser renderer uses this too.
// viridis and inferno are the 256-entry tables by van der Walt, Smith and Firing (CC0, as in matplotlib), rounded to
// bytes and linearly interpolated between entries; jet is matplotlib's piecewise-linear definition.

export type ColormapName = 'jet' | 'viridis' | 'inferno' | 'gray';
export const COLORMAP_NAMES: readonly ColormapName[] = ['jet', 'viridis', 'inferno', 'gray'];
export type Rgb = [number, number, number];

// 256 x RGB bytes each, hex.
const VIRIDIS_HEX =
  '44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769' +
  '48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a' +
  '472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85' +
  '4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b' +
  '3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d' +
  '33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e' +
  '2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e' +
  '26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d' +
  '21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88' +
  '1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81' +
  '28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74' +
  '3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863' +
  '5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d' +
  '84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32' +
  'addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a' +
  'd8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725';
const INFERNO_HEX =
  '00000401000501010601010802010a02020c02020e03021004031204031405041706041907051b08051d09061f0a0722' +
  '0b07240c08260d08290e092b10092d110a30120a32140b34150b37160b39180c3c190c3e1b0c411c0c431e0c451f0c48' +
  '210c4a230c4c240c4f260c51280b53290b552b0b572d0b592f0a5b310a5c320a5e340a5f3609613809623909633b0964' +
  '3d09653e0966400a67420a68440a68450a69470b6a490b6a4a0c6b4c0c6b4d0d6c4f0d6c510e6c520e6d540f6d550f6d' +
  '57106e59106e5a116e5c126e5d126e5f136e61136e62146e64156e65156e67166e69166e6a176e6c186e6d186e6f196e' +
  '71196e721a6e741a6e751b6e771c6d781c6d7a1d6d7c1d6d7d1e6d7f1e6c801f6c82206c84206b85216b87216b88226a' +
  '8a226a8c23698d23698f24699025689225689326679526679727669827669a28659b29649d29649f2a63a02a63a22b62' +
  'a32c61a52c60a62d60a82e5fa92e5eab2f5ead305dae305cb0315bb1325ab3325ab43359b63458b73557b93556ba3655' +
  'bc3754bd3853bf3952c03a51c13a50c33b4fc43c4ec63d4dc73e4cc83f4bca404acb4149cc4248ce4347cf4446d04545' +
  'd24644d34743d44842d54a41d74b3fd84c3ed94d3dda4e3cdb503bdd513ade5238df5337e05536e15635e25734e35933' +
  'e45a31e55c30e65d2fe75e2ee8602de9612bea632aeb6429eb6628ec6726ed6925ee6a24ef6c23ef6e21f06f20f1711f' +
  'f1731df2741cf3761bf37819f47918f57b17f57d15f67e14f68013f78212f78410f8850ff8870ef8890cf98b0bf98c0a' +
  'f98e09fa9008fa9207fa9407fb9606fb9706fb9906fb9b06fb9d07fc9f07fca108fca309fca50afca60cfca80dfcaa0f' +
  'fcac11fcae12fcb014fcb216fcb418fbb61afbb81dfbba1ffbbc21fbbe23fac026fac228fac42afac62df9c72ff9c932' +
  'f9cb35f8cd37f8cf3af7d13df7d340f6d543f6d746f5d949f5db4cf4dd4ff4df53f4e156f3e35af3e55df2e661f2e865' +
  'f2ea69f1ec6df1ed71f1ef75f1f179f2f27df2f482f3f586f3f68af4f88ef5f992f6fa96f8fb9af9fc9dfafda1fcffa4';

function hexTable(hex: string): Uint8Array {
  const t = new Uint8Array(hex.length / 2);
  for (let k = 0; k < t.length; k++) t[k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return t;
}

let viridis: Uint8Array | undefined;
let inferno: Uint8Array | undefined;

/** NaN and out-of-range values clamp, so a stray NaN in a map renders as the low end instead of throwing. */
function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

function fromTable(table: Uint8Array, v: number): Rgb {
  const n = table.length / 3;
  const x = clamp01(v) * (n - 1);
  const i0 = Math.min(Math.floor(x), n - 2);
  const t = x - i0;
  const o = i0 * 3;
  return [
    Math.round(table[o]! + (table[o + 3]! - table[o]!) * t),
    Math.round(table[o + 1]! + (table[o + 4]! - table[o + 1]!) * t),
    Math.round(table[o + 2]! + (table[o + 5]! - table[o + 2]!) * t),
  ];
}

/** Piecewise-linear segments (x, y) per channel; matplotlib's _jet_data. */
const JET: readonly (readonly (readonly [number, number])[])[] = [
  [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
];

function piecewise(seg: readonly (readonly [number, number])[], x: number): number {
  for (let k = 1; k < seg.length; k++) {
    const [x1, y1] = seg[k]!;
    if (x <= x1) {
      const [x0, y0] = seg[k - 1]!;
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return seg[seg.length - 1]![1];
}

export function jet(v: number): Rgb {
  const x = clamp01(v);
  return [Math.round(255 * piecewise(JET[0]!, x)), Math.round(255 * piecewise(JET[1]!, x)), Math.round(255 * piecewise(JET[2]!, x))];
}

export function viridisColor(v: number): Rgb {
  return fromTable((viridis ??= hexTable(VIRIDIS_HEX)), v);
}

export function infernoColor(v: number): Rgb {
  return fromTable((inferno ??= hexTable(INFERNO_HEX)), v);
}

export function gray(v: number): Rgb {
  const g = Math.round(255 * clamp01(v));
  return [g, g, g];
}

const MAPS: Record<ColormapName, (v: number) => Rgb> = { jet, viridis: viridisColor, inferno: infernoColor, gray };

export function isColormapName(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

/** The colormap function for a name; throws on an unknown name (listing the known ones). */
export function colormap(name: ColormapName): (v: number) => Rgb {
  const f = MAPS[name];
  if (!f) throw new Error(`Unknown colormap ${JSON.stringify(name)}; known: ${COLORMAP_NAMES.join(', ')}`);
  return f;
}

/** n x RGB lookup table (e.g. for a canvas or a legend); entry k is the colour of k / (n - 1). */
export function colormapLut(name: ColormapName, n = 256): Uint8Array {
  const f = colormap(name);
  const lut = new Uint8Array(n * 3);
  for (let k = 0; k < n; k++) lut.set(f(n === 1 ? 0 : k / (n - 1)), k * 3);
  return lut;
}

/**
 * Min-max normalization to [0,1] over the finite values; non-finite values become 0, and a constant map
 * (no contrast) becomes all zeros rather than NaN.
 */
export function normalizeMinMax(map: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const out = new Float32Array(map.length);
  const range = hi - lo;
  if (!(range > 0)) return out;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    out[i] = Number.isFinite(v) ? (v - lo) / range : 0;
  }
  return out;
}
