import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_FOLDER = 'd365-integration-console';

/**
 * Where the console keeps its store: the OS application-data folder, or D365IC_DATA_DIR when set
 * (tests, portable installs, several side-by-side data folders).
 */
export function defaultDataDir(env: Record<string, string | undefined> = process.env, platform = process.platform): string {
  if (env.D365IC_DATA_DIR) return path.resolve(env.D365IC_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_FOLDER);
}

export const databaseFile = (dataDir: string) => path.join(dataDir, 'console.sqlite');
export const keyFile = (dataDir: string) => path.join(dataDir, 'secret.key');
/** Where mapping exports are also saved, so the UI can say where a file went (the browser's downloads folder is unknown). */
export const exportsDir = (dataDir: string) => path.join(dataDir, 'exports');

/**
 * The data folder holds connection metadata, mappings, sync logs and (browser host) the secret key: on POSIX it is
 * created 0700, and a console data folder left readable by an older version is tightened. On Windows the folder
 * lives under %APPDATA%, whose ACL already limits it to the user (and administrators); modes are not applied there.
 */
export function ensurePrivateDir(dir: string, platform = process.platform): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return;
  const isConsoleFolder = !existed || path.basename(dir) === APP_FOLDER || existsSync(databaseFile(dir));
  if (isConsoleFolder && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Files of the store (console.sqlite, -wal, -shm, backups, secret.key): 0600 on POSIX, whatever the umask. */
export function makePrivateFile(file: string, platform = process.platform): void {
  if (platform === 'win32' || !existsSync(file)) return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
