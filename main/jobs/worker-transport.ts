// The worker's end of the channel to its host: Node's IPC under child_process.fork, Electron's process.parentPort
// under utilityProcess. Both deliver structured clones; worker-main.ts does not care which.

export interface WorkerTransport {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The host is gone. (A utility process is ended by Electron with its parent, so this only fires under fork.) */
  onHostGone(listener: () => void): void;
}

/** The shape of Electron's process.parentPort, declared here so nothing imports 'electron'. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function hostTransport(): WorkerTransport | null {
  const parentPort = (process as unknown as { parentPort?: ParentPort | null }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      onHostGone: () => undefined,
    };
  }
  if (process.send) {
    return {
      send: (message) => {
        // Throws only if the channel closed in between; the disconnect handler ends the process.
        try {
          process.send?.(message as Parameters<NonNullable<typeof process.send>>[0]);
        } catch {
          /* host gone */
        }
      },
      onMessage: (listener) => process.on('message', listener),
      onHostGone: (listener) => process.on('disconnect', listener),
    };
  }
  return null;
}
