import { app, BrowserWindow, ipcMain, net, protocol, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type ConsoleApp } from '../app/create-app';
import { EmbeddedSandbox } from '../app/sandbox-service';
import { bindIpc } from './ipc';
import { boundHeapGrowth } from '../platform/heap';
import { SafeStorageCipher } from './safe-storage-cipher';
import { APP_SCHEME, createMainWindow, installSessionPolicies, isTrustedRendererUrl } from './window';

/**
 * Electron shell entry (built by the forge Vite plugin to .vite/build/main.cjs). Everything it wires is the
 * same as the browser host's: createApp() + a transport. Only the cipher (safeStorage) and the transport
 * (IPC) differ.
 */
// The main process runs the sync engines: bound its heap growth (main/platform/heap.ts).
boundHeapGrowth();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const devServer = typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;
const rendererDir = path.join(__dirname, '..', 'renderer', typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : 'main_window');

let consoleApp: ConsoleApp | null = null;
let sandbox: EmbeddedSandbox | null = null;

function focusExisting() {
  const [win] = BrowserWindow.getAllWindows();
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusExisting);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
  app.whenReady().then(async () => {
    protocol.handle(APP_SCHEME, (request) => {
      const { pathname, host } = new URL(request.url);
      if (host !== 'console') return new Response('Not found', { status: 404 });
      const file = path.resolve(rendererDir, '.' + decodeURIComponent(pathname));
      if (!file.startsWith(rendererDir + path.sep)) return new Response('Forbidden', { status: 403 });
      return net.fetch(pathToFileURL(file).toString());
    });
    installSessionPolicies(devServer);
    // The demo sandbox is the default environment for a new user (D365IC_NO_SANDBOX=1 turns it off).
    const dataDir = process.env.D365IC_DATA_DIR ?? app.getPath('userData');
    // The Graph sandbox's CA stays in the data folder across launches (its path is on the Demo sandbox page).
    sandbox = process.env.D365IC_NO_SANDBOX === '1' ? EmbeddedSandbox.none() : await EmbeddedSandbox.start({ seed: 'demo', dataDir });
    consoleApp = createApp({
      host: 'electron',
      dataDir,
      cipher: () => new SafeStorageCipher(),
      sandbox,
      browser: { openExternal: (url) => shell.openExternal(url) },
    });
    await consoleApp.ready;
    bindIpc(
      ipcMain,
      consoleApp.router,
      consoleApp.events,
      (url) => isTrustedRendererUrl(url, devServer),
      () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    );
    createMainWindow(__dirname, devServer);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(__dirname, devServer);
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    consoleApp?.close();
    void sandbox?.close();
  });
}
