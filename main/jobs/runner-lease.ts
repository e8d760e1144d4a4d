// Who runs a job. A runner id names a process ("host|pid|nonce"); a lease is stale when that process is gone (same
// host, pid not alive) or has not renewed it within leaseMs. A stale lease is taken over: the job resumes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { StaleRunnerTest } from '../store/jobs-repo';

export function newRunnerId(): string {
  return `${hostname()}|${process.pid}|${randomBytes(4).toString('hex')}`;
}

export function parseRunnerId(runner: string): { host: string; pid: number } | null {
  const [host, pid] = runner.split('|');
  const n = Number(pid);
  return host && Number.isInteger(n) && n > 0 ? { host, pid: n } : null;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function staleRunnerTest(leaseMs: number): StaleRunnerTest {
  const here = hostname();
  return (runner, heartbeatMs) => {
    const parsed = parseRunnerId(runner);
    if (parsed && parsed.host === here && !isProcessAlive(parsed.pid)) return true;
    return heartbeatMs === null || Date.now() - heartbeatMs > leaseMs;
  };
}
