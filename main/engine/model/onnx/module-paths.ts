// PyTorch module paths from the node names torch.onnx.export writes (torch >= 1.13): "/layer4/layer4.1/relu_1/Relu"
// is op Relu in scope layer4 > layer4.1 > relu_1. A scope segment repeats its parent's segment for children of
// Sequential/ModuleList containers ("features", "features.1", "block", "block.0", "block.0.0" for features.1.block.0.0)
// and carries a suffix _N for the N-th extra call of the same module (relu_1: the block's second use of its relu).

/** The module path of a node as a list of attribute names, or [] for ops at the root (or unscoped names). */
export function moduleAtoms(nodeName: string): string[] {
  if (!nodeName.startsWith('/')) return [];
  const segments = nodeName.split('/').slice(1, -1).filter(Boolean);
  const atoms: string[] = [];
  let previous: string | null = null;
  for (const seg of segments) {
    if (previous !== null && seg.startsWith(previous + '.')) atoms.push(...seg.slice(previous.length + 1).split('.'));
    else atoms.push(...seg.split('.'));
    previous = seg;
  }
  return atoms;
}

export function modulePath(nodeName: string): string {
  return moduleAtoms(nodeName).join('.');
}

/** Every module path (and each of its ancestors) that the nodes live in. */
export function allModulePaths(nodeNames: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodeNames) {
    const atoms = moduleAtoms(n);
    for (let k = 1; k <= atoms.length; k++) out.add(atoms.slice(0, k).join('.'));
  }
  return out;
}

/** True when `path` is `scope` or lies inside it. */
export function isWithin(path: string, scope: string): boolean {
  return path === scope || path.startsWith(scope + '.');
}
