import { readFileSync } from 'node:fs';
import { JOB_STATES, type JobState } from '../../../shared/job-state';
import { idArgument, intOption, listOption, parse, parseWithPositionals } from '../args';
import { printJson, type Command } from '../command';
import { jobsTable, jobText } from '../record-text';
import { reportSubmittedInputs } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { UserError } from '../../engine/errors';

const HELP = `Usage: dixw jobs list [--state S,...] [--limit N]
       dixw jobs show ID              spec, inputs, progress (items/s, ETA), provenance, maps made and reused, log
       dixw jobs pause ID             a running job finishes its current item, then waits
       dixw jobs resume ID            back in the queue; continues at its first uncommitted item
       dixw jobs cancel ID            stops it; committed results stay
       dixw jobs retry ID             runs a failed or cancelled job again from its first uncommitted item
       dixw jobs rm ID                deletes it with its results (maps other jobs use are kept)
       dixw jobs submit SPEC.json [--priority P]   queues a job spec (JSON; see README) for "dixw worker" or the app

States: ${JOB_STATES.join(', ')}. Jobs queued with --detach (or submit) run in "dixw worker" or the app.
  --json              machine-readable output
${DB_HELP}

Examples:
  dixw jobs list --state queued,running
  dixw jobs show 3`;

const VERBS = ['pause', 'resume', 'cancel', 'retry'] as const;

export const jobsCommand: Command = {
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return void console.log(HELP);
    if (sub === 'list') {
      const v = parse('jobs list', rest, { ...DB_OPTION, json: { type: 'boolean' }, state: { type: 'string' }, limit: { type: 'string' } });
      if (v.help) return void console.log(HELP);
      const states = listOption(v, 'state');
      const unknown = states?.find((s) => !(JOB_STATES as readonly string[]).includes(s));
      if (unknown) throw new UserError(`Unknown job state "${unknown}".`, `Use ${JOB_STATES.join(', ')}.`);
      return withService(v, async (service) => {
        const jobs = await service.jobs.list({ states: states as JobState[] | undefined, limit: intOption('jobs list', v, 'limit') });
        if (v.json) return printJson(jobs);
        console.log(jobsTable(jobs));
      });
    }
    if (sub === 'submit') {
      const { values: v, positionals } = parseWithPositionals('jobs submit', rest, { ...DB_OPTION, json: { type: 'boolean' }, priority: { type: 'string' } }, { names: ['SPEC.json'] });
      if (v.help) return void console.log(HELP);
      const spec = readSpecFile(positionals[0]);
      return withService(v, async (service) => {
        const r = await service.jobs.submit({ spec, priority: intOption('jobs submit', v, 'priority') });
        reportSubmittedInputs(r.dataset, r.model);
        if (v.json) return printJson(r.job);
        console.log(r.job.id);
      });
    }
    if (sub === 'show' || sub === 'rm' || (VERBS as readonly string[]).includes(sub)) {
      const { values: v, positionals } = parseWithPositionals(`jobs ${sub}`, rest, { ...DB_OPTION, json: { type: 'boolean' } }, { names: ['ID'] });
      if (v.help) return void console.log(HELP);
      const id = idArgument(`jobs ${sub}`, positionals[0], 'job');
      return withService(v, async (service) => {
        if (sub === 'show') {
          const d = await service.jobs.show(id);
          return v.json ? printJson(d) : void console.log(jobText(d));
        }
        if (sub === 'rm') {
          const r = await service.jobs.remove(id);
          return v.json ? printJson({ removed: id, ...r }) : void console.log(`removed job ${id} and its results (${r.mapsDeleted} map(s) no other job used)`);
        }
        const job = await service.jobs[sub as (typeof VERBS)[number]](id);
        if (v.json) return printJson(job);
        console.log(`job ${id}: ${job.state}`);
      });
    }
    throw new UserError(`Unknown jobs command "${sub}".`, 'Use list, show, pause, resume, cancel, retry, rm or submit (see `dixw jobs --help`).');
  },
};

function readSpecFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${(e as Error).message}).`, 'A job spec is a JSON object, e.g. {"kind": "explain", "model": "1", "dataset": "2", "methods": ["dix3"]}.');
  }
}
