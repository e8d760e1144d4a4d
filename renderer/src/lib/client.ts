// The renderer's one way to the workbench: typed calls of shared/api.ts over IPC (Electron, through the preload's
// window.dixw) or HTTP (web mode), file URLs, live events, and the native dialogs where there are any. No other
// module of the renderer fetches, opens an EventSource or touches window.dixw.
import {
  HTTP_PATHS,
  TOKEN_HEADER,
  type ApiCallName,
  type ApiErrorBody,
  type ApiFileInput,
  type ApiFileName,
  type ApiInput,
  type ApiOutputs,
  type IpcAnswer,
  type ServiceEvent,
} from '../../../shared/api';

/** What the Electron preload exposes (main/app/preload.cjs); absent in a browser. */
interface PreloadBridge {
  call(name: string, input: unknown): Promise<IpcAnswer>;
  onEvent(listener: (event: ServiceEvent) => void): () => void;
  chooseFolder(title: string): Promise<string | null>;
}

declare global {
  interface Window {
    dixw?: PreloadBridge;
  }
}

/** A refused or failed call, with the service's code, message and hint. */
export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.hint = body.hint;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface WorkbenchClient {
  readonly transport: 'ipc' | 'http';
  call<N extends ApiCallName>(name: N, input: ApiInput<N>): Promise<ApiOutputs[N]>;
  /** The URL of a file call (an <img> source, a fetch, a download link). */
  fileUrl<N extends ApiFileName>(name: N, input: ApiFileInput<N>, download?: boolean): string;
  fileBytes<N extends ApiFileName>(name: N, input: ApiFileInput<N>): Promise<ArrayBuffer>;
  /** Starts a download of a file call (web: the browser's; Electron: its save dialog). */
  download<N extends ApiFileName>(name: N, input: ApiFileInput<N>): void;
  /** Live service events; `onState` hears the connection come and go. Returns the unsubscribe function. */
  subscribe(onEvent: (event: ServiceEvent) => void, onState?: (state: ConnectionState) => void): () => void;
  /** A native folder dialog (Electron); null where there is none (type the path instead). */
  readonly chooseFolder: ((title: string) => Promise<string | null>) | null;
}

function fileUrl(name: string, input: unknown, download = false): string {
  return `${HTTP_PATHS.file}${encodeURIComponent(name)}?input=${encodeURIComponent(JSON.stringify(input))}${download ? '&download=1' : ''}`;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: ApiErrorBody };
    if (body.error) return new ApiError(body.error);
  } catch {
    // Not JSON: fall through.
  }
  return new ApiError({ code: res.status === 401 ? 'unauthorized' : 'internal', message: `${res.status} ${res.statusText}` });
}

function clickDownload(href: string, filename?: string): void {
  const a = document.createElement('a');
  a.href = href;
  if (filename !== undefined) a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

function httpClient(): WorkbenchClient {
  /** A token given in the page URL (also set as a cookie by the server); the header works where cookies do not. */
  const token = new URLSearchParams(location.search).get('token');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { [TOKEN_HEADER]: token } : {}) };
  return {
    transport: 'http',
    async call(name, input) {
      const res = await fetch(`${HTTP_PATHS.call}${encodeURIComponent(name)}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}), credentials: 'same-origin' });
      if (!res.ok) throw await errorOf(res);
      return res.json();
    },
    fileUrl,
    async fileBytes(name, input) {
      const res = await fetch(fileUrl(name, input), { credentials: 'same-origin' });
      if (!res.ok) throw await errorOf(res);
      return res.arrayBuffer();
    },
    download(name, input) {
      clickDownload(fileUrl(name, input, true));
    },
    subscribe(onEvent, onState) {
      let source: EventSource | null = null;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const open = () => {
        onState?.(source ? 'reconnecting' : 'connecting');
        source = new EventSource(HTTP_PATHS.events, { withCredentials: true });
        source.onopen = () => onState?.('open');
        source.onmessage = (m) => onEvent(JSON.parse(m.data) as ServiceEvent);
        source.onerror = async () => {
          // EventSource retries by itself unless the server answered with an error status (e.g. 401 after a restart
          // gave the server a new token): then it is closed and we decide.
          if (source?.readyState !== EventSource.CLOSED || closed) return onState?.('reconnecting');
          const probe = await fetch(`${HTTP_PATHS.call}app.info`, { method: 'POST', headers, body: '{}' }).catch(() => null);
          if (probe?.status === 401) return onState?.('unauthorized');
          onState?.('reconnecting');
          retry = setTimeout(open, 1000);
        };
      };
      open();
      return () => {
        closed = true;
        clearTimeout(retry);
        source?.close();
      };
    },
    chooseFolder: null,
  };
}

function ipcClient(bridge: PreloadBridge): WorkbenchClient {
  return {
    transport: 'ipc',
    async call(name, input) {
      const answer = await bridge.call(name, input ?? {});
      if (!answer.ok) throw new ApiError(answer.error);
      return answer.result as never;
    },
    fileUrl,
    async fileBytes(name, input) {
      const res = await fetch(fileUrl(name, input));
      if (!res.ok) throw await errorOf(res);
      return res.arrayBuffer();
    },
    download(name, input) {
      clickDownload(fileUrl(name, input, true), '');
    },
    subscribe(onEvent, onState) {
      onState?.('open');
      return bridge.onEvent(onEvent);
    },
    chooseFolder: (title) => bridge.chooseFolder(title),
  };
}

export const client: WorkbenchClient = window.dixw ? ipcClient(window.dixw) : httpClient();

/** An error as one readable paragraph (message, then what to do). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.hint ? `${err.message} ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}
