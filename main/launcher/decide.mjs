// Pure decision for `npm start`, kept apart from the side effects so it can be tested.

/** forge 8 refuses Node older than 22.13. */
export function nodeCanRunForge(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

/**
 * @param {{ nodeVersion: string, electronBinary: string | null, env: Record<string, string | undefined>, args: string[] }} input
 * @returns {{ host: 'electron' } | { host: 'browser', reason: string }}
 */
export function chooseHost({ nodeVersion, electronBinary, env, args }) {
  if (args.includes('--browser') || env.D365IC_BROWSER_HOST === '1') return { host: 'browser', reason: 'browser host requested' };
  if (!nodeCanRunForge(nodeVersion)) {
    return { host: 'browser', reason: `Node ${nodeVersion} is older than 22.13, which the desktop shell (electron-forge 8) needs` };
  }
  if (!electronBinary) return { host: 'browser', reason: 'the Electron binary is not installed on this machine' };
  return { host: 'electron' };
}
