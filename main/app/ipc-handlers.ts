// The main side of the preload's channels. Each handler checks who is asking (only the app's own page) and what it
// sends (a call name and input that the contract's schemas accept, via WorkbenchApi), and answers with a plain
// IpcAnswer: a rejected invoke would lose the error's code and hint on the way to the renderer.
import { APP_SCHEME, IPC_CHANNELS, type ApiErrorBody, type IpcAnswer } from '../../shared/api';
import type { WorkbenchApi } from '../service/api-handlers';
import { ServiceError } from '../service/index';
import { isAppUrl } from './window-options';

export interface Dialogs {
  chooseFolder(title: string): Promise<string | null>;
}

export type IpcHandler = (senderUrl: string, ...args: unknown[]) => Promise<unknown>;

function refusal(code: string, message: string): IpcAnswer {
  return { ok: false, error: { code, message } };
}

function errorBody(err: unknown): ApiErrorBody {
  if (err instanceof ServiceError) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}` };
}

export function createIpcHandlers(api: WorkbenchApi, dialogs: Dialogs, log: (line: string) => void = () => undefined): Record<string, IpcHandler> {
  return {
    [IPC_CHANNELS.call]: async (senderUrl, name, input): Promise<IpcAnswer> => {
      if (!isAppUrl(senderUrl, APP_SCHEME)) return refusal('forbidden', `Calls are accepted from the app's own page only, not ${senderUrl}.`);
      if (typeof name !== 'string') return refusal('invalid-input', 'The call name must be a string.');
      try {
        return { ok: true, result: await api.call(name, input) };
      } catch (err) {
        if (!(err instanceof ServiceError)) log(`internal error in ${name}: ${(err as Error)?.stack ?? String(err)}`);
        return { ok: false, error: errorBody(err) };
      }
    },
    [IPC_CHANNELS.chooseFolder]: async (senderUrl, title) => {
      if (!isAppUrl(senderUrl, APP_SCHEME)) return null;
      return dialogs.chooseFolder(typeof title === 'string' && title.length < 200 ? title : 'Choose a folder');
    },
  };
}
