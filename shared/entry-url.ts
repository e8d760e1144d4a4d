// Where a file handed to a process or a thread at run time is (a worker process or thread entry, the executor module,
// the CLI): not an import, so no bundler rewrites it. From sources (tsx) it is the TypeScript file at `source`,
// relative to the referring module. In the compiled output (`npm run build`, scripts/build-main.mjs) every entry and
// every chunk is one .js file in dist/main/, so the entry is a sibling of whatever chunk holds the referring code, named
// after its source file unless `compiled` names it.
export function entryUrl(referrer: string, source: string, compiled?: string): URL {
  if (isSourceModule(referrer)) return new URL(source, referrer);
  const name = compiled ?? source.slice(source.lastIndexOf('/') + 1).replace(/\.ts$/, '.js');
  return new URL(`./${name}`, referrer);
}

/** Whether a module URL is a TypeScript source (run through tsx), as opposed to the compiled output. */
export function isSourceModule(url: string): boolean {
  return /\.[cm]?ts$/.test(url);
}
