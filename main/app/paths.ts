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
