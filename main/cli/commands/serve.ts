// `dixw serve`: web mode. The workbench's window in any browser on this machine, and the queue running behind it.
import { UserError } from '../../engine/errors';
import { intOption, parse } from '../args';
import { type Command } from '../command';
import { DB_HELP, DB_OPTION } from '../service-access';

export const serveCommand: Command = {
  help: `Usage: dixw serve [--port N] [--db PATH] [--renderer DIR] [--queue local|redis://HOST:PORT]

Web mode: serves the workbench (datasets, models, the job queue, results, figure export) and its API on
127.0.0.1 only, and runs queued jobs in a worker process while it is up. Prints the URL to open: it carries a token
made for this launch, which every API request needs (the URL sets it as a cookie). Ctrl-C stops it; a job that
was running resumes at its first uncommitted item the next time any runner (serve, worker, the app) starts.
The renderer is built into dist/renderer on first use if it is missing (npm run build:renderer builds it too).
  --port N            port on 127.0.0.1 (default 0: any free port)
  --renderer DIR      serve a renderer built elsewhere (a folder with index.html)
  --queue URL         local (default: worker processes here) or redis://HOST:PORT: coordinate a fleet of
                      "dixw worker --queue" machines, committing their results here (default: $DIXW_QUEUE);
                      the Queue view's Workers panel shows the fleet's workers, or the local ones
${DB_HELP}

Example: dixw serve --port 8470 --db ~/experiments/workbench.db`,
  async run(argv) {
    const v = parse('serve', argv, { ...DB_OPTION, port: { type: 'string' }, renderer: { type: 'string' }, queue: { type: 'string' } });
    if (v.help) return void console.log(this.help);
    // The service reads its queue backend from DIXW_QUEUE (validated when it opens).
    if (typeof v.queue === 'string') process.env.DIXW_QUEUE = v.queue;
    const port = intOption('serve', v, 'port') ?? 0;
    if (port < 0 || port > 65535) throw new UserError(`dixw serve: --port must be 0..65535 (got ${port}).`);
    const { startWebMode } = await import('../../server/web-mode');
    let web;
    try {
      web = await startWebMode({ dbPath: v.db as string | undefined, port, rendererDir: v.renderer as string | undefined });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`Port ${port} on 127.0.0.1 is in use.`, 'Pick another with --port, or --port 0 for any free one.');
      throw err;
    }
    process.stderr.write(`dixw serve: database ${web.dbPath}; jobs run while this is up. Ctrl-C stops.\n`);
    // The one line on stdout: scripts and tests read the URL from it.
    console.log(web.url);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await web.close();
    process.stderr.write('dixw serve: stopped\n');
  },
};
