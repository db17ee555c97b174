import { describe, expect, it } from 'vitest';
import { bindIpc, EVENT_CHANNEL, RPC_CHANNEL, type IpcMainLike } from '../../../main/electron/ipc';
import { isTrustedRendererUrl } from '../../../main/electron/window';
import { EventBus } from '../../../main/rpc/events';
import type { Router } from '../../../main/rpc/router';

// main/electron/window.ts imports 'electron' (which throws in plain Node without its binary): only the pure
// helper is exercised here, through a module mock.
import { vi } from 'vitest';
vi.mock('electron', () => ({ BrowserWindow: class {}, session: {}, shell: {} }));

function fakeIpc() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener as never),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

const router: Router = { call: async (method) => ({ ok: true, value: { called: method } }) };
const trusted = (url: string) => isTrustedRendererUrl(url, undefined);
const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });

describe('Electron IPC binding', () => {
  it('accepts calls only from the top frame of our own renderer', async () => {
    const { ipc, handlers } = fakeIpc();
    bindIpc(ipc, router, new EventBus(), trusted, () => []);
    const h = handlers.get(RPC_CHANNEL)!;
    expect(await h(frame('app://console/index.html'), 'app.info', {})).toEqual({ ok: true, value: { called: 'app.info' } });
    for (const bad of [frame('https://evil.example/'), frame('file:///tmp/x.html'), frame('app://evil/index.html'), frame('app://console/index.html', {}), { senderFrame: null }]) {
      expect(await h(bad, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('forwards events to live windows only, and unbinds cleanly', () => {
    const { ipc, handlers } = fakeIpc();
    const events = new EventBus();
    const sent: unknown[][] = [];
    const live = { isDestroyed: () => false, send: (...a: unknown[]) => void sent.push(a) };
    const dead = { isDestroyed: () => true, send: () => { throw new Error('destroyed'); } };
    const unbind = bindIpc(ipc, router, events, trusted, () => [live, dead] as never);
    events.emit('app.notice', { level: 'warning', code: 'X', message: 'm' });
    expect(sent).toEqual([[EVENT_CHANNEL, 'app.notice', { level: 'warning', code: 'X', message: 'm' }]]);
    unbind();
    expect(handlers.has(RPC_CHANNEL)).toBe(false);
    events.emit('app.notice', { level: 'info', code: 'Y', message: 'n' });
    expect(sent).toHaveLength(1);
  });

  it('trusts the dev server origin only when one is configured', () => {
    expect(isTrustedRendererUrl('http://localhost:5173/', undefined)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
    expect(isTrustedRendererUrl('not a url', undefined)).toBe(false);
  });
});
