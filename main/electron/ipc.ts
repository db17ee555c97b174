import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { TransportErrorCodes, type Result } from '../../preload/contract';
import type { EventBus } from '../rpc/events';
import type { Router } from '../rpc/router';

/** The part of ipcMain we use — a seam so the binding is tested without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export const RPC_CHANNEL = 'd365ic:rpc';
export const EVENT_CHANNEL = 'd365ic:event';

/**
 * One invoke channel carries every contract method. Before the router sees a call, the sender must be the
 * top frame of one of our windows showing our own renderer (checked by URL), so a navigated or embedded
 * page can never reach the services.
 */
export function bindIpc(
  ipcMain: IpcMainLike,
  router: Router,
  events: EventBus,
  isTrustedUrl: (url: string) => boolean,
  targets: () => Pick<WebContents, 'send' | 'isDestroyed'>[],
): () => void {
  ipcMain.handle(RPC_CHANNEL, async (event, method, payload): Promise<Result<unknown>> => {
    const frame = event.senderFrame;
    const trusted = frame != null && frame.parent === null && isTrustedUrl(frame.url);
    if (!trusted) {
      return { ok: false, error: { code: TransportErrorCodes.forbidden, message: 'Calls are accepted only from the console window.' } };
    }
    return router.call(method, payload, { transport: 'electron' });
  });
  const unsubscribe = events.subscribe((name, payload) => {
    for (const wc of targets()) if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(RPC_CHANNEL);
  };
}
