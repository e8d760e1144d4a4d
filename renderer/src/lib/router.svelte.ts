// Which view is shown, in the URL's hash (#/results/12), so that reload and the back button work.
export const VIEWS = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'models', label: 'Models' },
  { id: 'new-job', label: 'New job' },
  { id: 'queue', label: 'Queue' },
  { id: 'results', label: 'Results' },
  { id: 'export', label: 'Export' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

function parse(hash: string): { view: ViewId; param: string | null } {
  const [, view, param] = hash.replace(/^#/, '').split('/');
  const known = VIEWS.find((v) => v.id === view);
  return { view: known ? known.id : 'datasets', param: known && param ? decodeURIComponent(param) : null };
}

class Router {
  current = $state(parse(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => (this.current = parse(location.hash)));
  }

  go(view: ViewId, param?: string | number): void {
    location.hash = `#/${view}${param === undefined ? '' : `/${encodeURIComponent(String(param))}`}`;
  }
}

export const router = new Router();
