// A one-line progress bar with ETA on a terminal (stderr, so --json output on stdout stays clean). When stderr is
// not a terminal it prints nothing, except a final line, so logs of CI runs stay readable.
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly label: string, private readonly enabled = true) {}

  update(done: number, total: number, note = ''): void {
    if (!this.enabled || !this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const width = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const cols = process.stderr.columns ?? 100;
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${formatDuration(elapsed)} ETA ${formatDuration(eta)} ${note}`;
    process.stderr.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
  }

  finish(summary: string): void {
    if (!this.enabled) return;
    if (this.tty) process.stderr.write('\r' + ' '.repeat((process.stderr.columns ?? 100) - 1) + '\r');
    process.stderr.write(`${this.label}: ${summary} (${formatDuration((performance.now() - this.start) / 1000)})\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
