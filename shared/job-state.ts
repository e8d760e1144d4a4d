// The life of a job and of its items. Pure, so the UI can enable buttons with the same rules the queue enforces.

export const JOB_STATES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Every legal move. A `running` job left by a dead process stays `running` and is resumed, not re-queued. */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'paused', 'cancelled'],
  running: ['paused', 'done', 'failed', 'cancelled'],
  paused: ['queued', 'cancelled'],
  done: [],
  failed: ['queued'],
  cancelled: ['queued'],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function isFinished(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

/** The user's verbs and the states each accepts (`dixw jobs pause|resume|cancel|retry|rm`). */
export const JOB_ACTIONS = {
  pause: ['queued', 'running'],
  resume: ['paused'],
  cancel: ['queued', 'running', 'paused'],
  retry: ['failed', 'cancelled'],
  rm: ['queued', 'paused', 'done', 'failed', 'cancelled'],
} as const satisfies Record<string, readonly JobState[]>;
export type JobAction = keyof typeof JOB_ACTIONS;

export function canApply(action: JobAction, state: JobState): boolean {
  return (JOB_ACTIONS[action] as readonly JobState[]).includes(state);
}

/** An item is done once its results are committed; `running` only means "sent to a worker". */
export const ITEM_STATES = ['pending', 'running', 'done', 'failed'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** A worker that dies this many times on one item fails the job. */
export const MAX_ITEM_ATTEMPTS = 3;
