// The `dixw` command: dispatches to one subcommand, loaded only when it runs. A user error (bad file, bad name, bad
// shape, a refused request, a failed job) prints its message and hint, no stack trace, and exits with status 1.
import { APP_VERSION, type Command } from './command';
import { userMessage } from './user-message';

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'demo', summary: 'the main job on the embedded default: synthesize data, train the small CNN, explain with DIX3 and the baselines',
    load: async () => (await import('./commands/demo')).demoCommand },
  { name: 'explain', summary: 'explanation maps for every image of a dataset, one per method (a job)',
    load: async () => (await import('./commands/explain')).explainCommand },
  { name: 'train', summary: 'train a built-in architecture on an image folder (a job); registers the model',
    load: async () => (await import('./commands/train')).trainCommand },
  { name: 'metrics', summary: 'every method on every metric (NEG, POS, INS, DEL, ADP, PIC, SIC, AIC, seg) with intervals and tests (a job)',
    load: async () => (await import('./commands/metrics')).metricsCommand },
  { name: 'ablate', summary: "the paper's ablation (Table 5: DIX1, IG, DIX2, DIX2-MUL, DIX3-GRADS, DIX3) over N, cut points, baselines (a job)",
    load: async () => (await import('./commands/ablate')).ablateCommand },
  { name: 'sanity', summary: 'sanity tests: cascading, independent or data randomization of a model, with similarity summaries (a job)',
    load: async () => (await import('./commands/sanity')).sanityCommand },
  { name: 'export', summary: "a job's figures (sanity curves, box plot, map strips; png, svg, pdf) and tables (csv, latex, json, markdown)",
    load: async () => (await import('./commands/export')).exportCommand },
  { name: 'jobs', summary: 'the job queue: list, show, cancel, pause, resume, retry, rm, submit',
    load: async () => (await import('./commands/jobs')).jobsCommand },
  { name: 'serve', summary: 'web mode: the workbench in a browser on 127.0.0.1 (with a per-launch token), running the queue',
    load: async () => (await import('./commands/serve')).serveCommand },
  { name: 'worker', summary: 'run queued jobs (those queued with --detach) until interrupted; --queue redis://... joins a fleet',
    load: async () => (await import('./commands/worker')).workerCommand },
  { name: 'fleet', summary: 'the fleet of workers sharing a Redis queue: status (workers, backends, items per second)',
    load: async () => (await import('./commands/fleet')).fleetCommand },
  { name: 'dataset', summary: 'registered datasets (add, list, show, rm) and making them (synth, import-idx)',
    load: async () => (await import('./commands/dataset')).datasetCommand },
  { name: 'model', summary: 'registered models: add, list, show, rm',
    load: async () => (await import('./commands/model')).modelCommand },
  { name: 'layers', summary: 'the valid cut points of a model, with shapes and the DIX defaults',
    load: async () => (await import('./commands/layers')).layersCommand },
  { name: 'methods', summary: 'the explanation methods and their ids',
    load: async () => (await import('./commands/methods')).methodsCommand },
  { name: 'doctor', summary: 'which compute backends work here, and how to fix those that do not',
    load: async () => (await import('./commands/doctor')).doctorCommand },
];

export function usage(): string {
  return `dixw ${APP_VERSION}: DIX Workbench, explanation maps, metrics and sanity tests for vision models

Usage: dixw <command> [options]   (dixw <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Compute backends are chosen automatically (tensorflow-gpu, webgpu on a hardware GPU, tensorflow, wasm, cpu); --backend
or DIXW_BACKEND forces one (--backend webgpu also takes a software adapter). "dixw doctor" says what this machine has.
Commands that use the workbench database take --db PATH (default: $DIXW_HOME/workbench.db, else the app-data folder).`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`dixw: unknown command "${name}".\n\n${usage()}`);
    return 1;
  }
  try {
    await (await entry.load()).run(rest);
    return 0;
  } catch (e) {
    const message = userMessage(e);
    if (message === null) throw e;
    // Messages that already say which command they come from ("dixw sanity data --train: ...") keep their own prefix.
    if (message.text) console.error(/^dixw\b/.test(message.text) ? message.text : `dixw ${name}: ${message.text}`);
    return message.status;
  }
}
