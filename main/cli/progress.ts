// A one-line progress bar with ETA on a terminal (stderr, so --json output on stdout stays clean). When stderr is
// not a terminal it prints nothing, except a final line, so logs of CI runs stay readable.
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  /** unit 'count': "12/30" (items); 'percent': "47%" (the share of one long item, e.g. a training run). */
  constructor(private readonly label: string, private readonly enabled = true, private readonly unit: 'count' | 'percent' = 'count') {}

  private done = 0;
  private total = 0;
  private lastNote = '';

  /** A new note beside the last count (what the current item is doing). */
  note(text: string): void {
    this.update(this.done, this.total, text);
  }

  /** Without a note, the last one stays. */
  update(done: number, total: number, note?: string): void {
    this.done = done;
    this.total = total;
    if (note !== undefined) this.lastNote = note;
    if (!this.enabled || !this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const width = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const cols = terminalColumns();
    const amount = this.unit === 'percent' ? `${Math.floor(100 * frac)}%` : `${done}/${total}`;
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${amount} ${formatDuration(elapsed)} ETA ${formatDuration(eta)} ${this.lastNote}`;
    process.stderr.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
  }

  finish(summary: string): void {
    if (!this.enabled) return;
    if (this.tty) process.stderr.write('\r' + ' '.repeat(terminalColumns() - 1) + '\r');
    process.stderr.write(`${this.label}: ${summary} (${formatDuration((performance.now() - this.start) / 1000)})\n`);
  }
}

/** A terminal that does not say its width (0 or unknown, e.g. under `script`) is taken as 100 columns. */
function terminalColumns(): number {
  return process.stderr.columns || 100;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
