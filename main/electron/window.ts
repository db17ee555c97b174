import { BrowserWindow, session, shell, type WebContents } from 'electron';
import path from 'node:path';
import { rendererCsp } from '../host/security';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://console`;

/** Pages we trust: our own app:// origin, or the Vite dev server during `electron-forge start`. */
export function isTrustedRendererUrl(url: string, devServer: string | undefined): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === `${APP_SCHEME}:` && u.host === 'console') return true;
    return !!devServer && u.origin === new URL(devServer).origin;
  } catch {
    return false;
  }
}

/** External links the user clicked: https only, opened in the OS browser. */
function openExternalIfSafe(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url);
  } catch {
    /* ignore malformed */
  }
}

function harden(contents: WebContents, devServer: string | undefined): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url, devServer)) {
      event.preventDefault();
      openExternalIfSafe(url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedRendererUrl(url, devServer)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function installSessionPolicies(devServer: string | undefined): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (isTrustedRendererUrl(details.url, devServer)) headers['Content-Security-Policy'] = [rendererCsp(devServer ? [devServer.replace(/^http/, 'ws')] : [])];
    callback({ responseHeaders: headers });
  });
}

export function createMainWindow(preloadDir: string, devServer: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Integration Console',
    webPreferences: {
      preload: path.join(preloadDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  harden(win.webContents, devServer);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServer ?? `${APP_ORIGIN}/index.html`);
  return win;
}
