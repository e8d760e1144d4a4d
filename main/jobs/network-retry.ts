// A fleet worker reaches the coordinator's file server over the network, where a connection can be refused or cut
// for a moment (the coordinator restarting, a proxy, a flaky link). Such a fetch is tried again a few times, with
// growing pauses, before the item fails. Only network errors are: a refusal (wrong token, no such file) or a content
// hash that does not match would be the same the next time.

/** Pauses before the 2nd, 3rd and 4th attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000];

/** The request did not get through, or its answer was cut off: worth another attempt. */
export class NetworkError extends Error {}

/** `attempt()`, tried again after each pause when it throws a NetworkError; the last error says how often it was tried. */
export async function withNetworkRetries<T>(attempt: () => Promise<T>, delaysMs: readonly number[] = RETRY_DELAYS_MS): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      if (i >= delaysMs.length) throw new NetworkError(`${err.message} (tried ${i + 1} times)`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, delaysMs[i]));
    }
  }
}
