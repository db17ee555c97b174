// Child processes of `npm start` (the Electron shell via electron-forge, the UI build): stopping the launcher stops
// them. A signal the launcher receives (Ctrl+C, `kill`, a closing terminal, a service manager) is passed on to the
// child, and the launcher exits only once the child has gone, with the child's status.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Spawn a child that stops with the launcher.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {{ child: import('node:child_process').ChildProcess, done: Promise<{ code: number | null, signal: NodeJS.Signals | null, received: NodeJS.Signals | null }> }}
 */
export function spawnForwarding(command, args, options) {
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  /** @type {NodeJS.Signals | null} */
  let received = null;
  const forward = () => {
    if (child && received && child.exitCode === null && child.signalCode === null) child.kill(received);
  };
  // Installed before the child exists: a signal arriving while it is being spawned must not kill the launcher
  // (Node's default action) and leave the new child behind; it is passed on as soon as the child is there.
  const handlers = FORWARDED.map((sig) => [
    sig,
    () => {
      received = /** @type {NodeJS.Signals} */ (sig);
      forward();
    },
  ]);
  for (const [sig, h] of handlers) process.on(sig, h);
  const cleanup = () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
  try {
    child = spawn(command, args, options);
  } catch (x) {
    cleanup();
    throw x;
  }
  const spawned = child;
  forward();
  const done = new Promise((resolve, reject) => {
    spawned.once('error', (e) => {
      cleanup();
      reject(e);
    });
    spawned.once('exit', (code, signal) => {
      cleanup();
      resolve({ code, signal, received });
    });
  });
  return { child: spawned, done };
}

/** The launcher's own exit status for a child's outcome: the child's code, or 128 + the signal that stopped it. */
export function exitStatus({ code, signal, received }) {
  if (code !== null && received === null) return code;
  const sig = signal ?? received;
  return sig ? 128 + (constants.signals[sig] ?? 1) : (code ?? 1);
}
