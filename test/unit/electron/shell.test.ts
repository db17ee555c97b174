import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron is not installed as a binary here: the shell is exercised through a faithful module mock.
const h = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoke: vi.fn(async () => ({ ok: true, value: 1 })),
  on: vi.fn(),
  windows: [] as { options: Record<string, unknown>; contents: Record<string, (...a: unknown[]) => unknown>; url?: string }[],
  openExternal: vi.fn(),
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: { setWindowOpenHandler: (fn: unknown) => void; on: (ev: string, fn: unknown) => void };
    constructor(options: Record<string, unknown>) {
      const rec = { options, contents: {} as Record<string, (...a: unknown[]) => unknown> };
      h.windows.push(rec);
      this.webContents = {
        setWindowOpenHandler: (fn) => void (rec.contents['window-open'] = fn as never),
        on: (ev, fn) => void (rec.contents[ev] = fn as never),
      };
    }
    once() {}
    loadURL(url: string) {
      h.windows[h.windows.length - 1]!.url = url;
      return Promise.resolve();
    }
  }
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (h.exposed[key] = api) },
    ipcRenderer: { invoke: h.invoke, on: h.on },
    BrowserWindow,
    session: {},
    shell: { openExternal: h.openExternal },
  };
});

beforeEach(() => {
  h.windows.length = 0;
  h.openExternal.mockClear();
});

describe('preload', () => {
  it('exposes only invoke/on, forwarding contract methods and refusing anything else', async () => {
    await import('../../../preload/preload');
    const api = h.exposed.d365ic as { invoke: (m: string, p: unknown) => Promise<unknown>; on: (e: string, cb: () => void) => () => void };
    expect(Object.keys(h.exposed)).toEqual(['d365ic']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    await api.invoke('app.info', {});
    expect(h.invoke).toHaveBeenCalledWith('d365ic:rpc', 'app.info', {});
    h.invoke.mockClear();
    expect(await api.invoke('ipcRenderer.send', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(h.invoke).not.toHaveBeenCalled();
    expect(typeof api.on('not.an.event', () => undefined)).toBe('function');
  });
});

describe('main window', () => {
  it('is created sandboxed and isolated, and denies navigation, popups and webviews', async () => {
    const { createMainWindow } = await import('../../../main/electron/window');
    createMainWindow('/app/.vite/build', undefined);
    const w = h.windows[0]!;
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true });
    expect(w.url).toBe('app://console/index.html');
    expect((w.contents['window-open'] as (d: { url: string }) => unknown)({ url: 'https://learn.microsoft.com/' })).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledWith('https://learn.microsoft.com/');
    h.openExternal.mockClear();
    (w.contents['window-open'] as (d: { url: string }) => unknown)({ url: 'file:///etc/passwd' });
    expect(h.openExternal).not.toHaveBeenCalled();
    const prevented = vi.fn();
    (w.contents['will-navigate'] as (e: unknown, u: string) => void)({ preventDefault: prevented }, 'https://evil.example/');
    expect(prevented).toHaveBeenCalled();
    const allowed = vi.fn();
    (w.contents['will-navigate'] as (e: unknown, u: string) => void)({ preventDefault: allowed }, 'app://console/index.html#x');
    expect(allowed).not.toHaveBeenCalled();
    const webview = vi.fn();
    (w.contents['will-attach-webview'] as (e: unknown) => void)({ preventDefault: webview });
    expect(webview).toHaveBeenCalled();
  });
});
