import { spawn } from 'node:child_process';

/**
 * Open a URL in the user's browser if this machine has one we can reach. Returns false (and does nothing)
 * on a headless machine, so `npm start` prints the address instead of failing.
 */
export function openSystemBrowser(url: string, env = process.env, platform = process.platform): boolean {
  let cmd: string;
  let args: string[];
  if (platform === 'win32') {
    cmd = 'rundll32';
    args = ['url.dll,FileProtocolHandler', url];
  } else if (platform === 'darwin') {
    cmd = 'open';
    args = [url];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
    cmd = 'xdg-open';
    args = [url];
  }
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
