// What a job's item is called where a person reads it (the CLI's progress bar, the window): the image's path in its
// dataset, not the internal "image:17"; the step of a randomization item; the training of a sanity job's pair.
import type { JsonValue } from '../../shared/json';
import { listItems } from '../store/items-repo';
import type { Store } from '../store/store';

export function itemName(key: string, payload: JsonValue): string {
  const p = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
  if (typeof p.relPath === 'string') return typeof p.step === 'number' ? `${p.relPath} (step ${p.step})` : p.relPath;
  if (key === 'train-pair') return 'training the true- and random-label models';
  if (key === 'train') return 'training';
  if (typeof p.epoch === 'number') return `epoch ${p.epoch}`;
  return key;
}

/** Names of the items of the jobs seen so far, read from the store once per job. */
export class ItemNames {
  private readonly byJob = new Map<number, Map<string, string>>();

  constructor(private readonly store: Store) {}

  of(jobId: number, key: string): string {
    let names = this.byJob.get(jobId);
    if (!names?.has(key)) {
      names = new Map(listItems(this.store, jobId).map((i) => [i.key, itemName(i.key, i.payload)]));
      this.byJob.set(jobId, names);
    }
    return names.get(key) ?? key;
  }
}
