// A name as a seed component. Kept free of TF.js, so that summaries (step-summaries.ts) load without it.

/** FNV-1a, to turn a layer name into a seed component. */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
