/**
 * The console's embedded demo sandbox, as seen from another process on the same data folder (`d365ic sync run
 * --profile 'Demo sandbox · …'`, `d365ic jobs run`). The "Demo sandbox" profiles point at the sandbox of the running
 * console (its ports change per launch) and sign in through an authority host that only the console maps onto the
 * sandbox's identity service. So the console writes where its sandbox listens into the data folder while it runs,
 * and the CLI maps the same authority host onto it; when the console is not running, the CLI says so.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DEMO_SANDBOX_FILE = 'demo-sandbox.json';

/** The https name MSAL sees for the demo sandbox's identity service (the console and the CLI map it onto its loopback URL). */
export const SANDBOX_AUTHORITY_HOST = 'https://login.sandbox.localhost';

export interface DemoSandboxInfo {
  /** Process that runs the sandbox (the console). */
  pid: number;
  /** Loopback origin of the sandbox's identity service. */
  identityUrl: string;
  dataverseUrl: string;
  businessCentralApiBase: string;
  /** PEM file of the CA behind the sandbox's Graph (HTTPS); absent in files written by older consoles. */
  graphCaFile?: string;
  startedAt: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, DEMO_SANDBOX_FILE);

/** Called by the console when its sandbox is up (not for in-memory data). */
export function writeDemoSandboxInfo(dataDir: string, info: Omit<DemoSandboxInfo, 'pid' | 'startedAt'>): void {
  if (dataDir === ':memory:') return;
  const full: DemoSandboxInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  writeFileSync(fileOf(dataDir), `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
}

/** Called by the console on close: removes the file if this process wrote it. */
export function removeDemoSandboxInfo(dataDir: string): void {
  if (dataDir === ':memory:') return;
  const info = readRaw(dataDir);
  if (info && info.pid === process.pid) rmSync(fileOf(dataDir), { force: true });
}

function readRaw(dataDir: string): DemoSandboxInfo | null {
  const f = fileOf(dataDir);
  if (!existsSync(f)) return null;
  try {
    const v = JSON.parse(readFileSync(f, 'utf8')) as Partial<DemoSandboxInfo>;
    return typeof v.pid === 'number' && typeof v.identityUrl === 'string' ? (v as DemoSandboxInfo) : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (x) {
    // EPERM: the process exists but belongs to someone else.
    return (x as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running console's sandbox on this data folder, or null (no console, or it stopped without cleaning up). */
export function readDemoSandboxInfo(dataDir: string): DemoSandboxInfo | null {
  const info = readRaw(dataDir);
  return info && alive(info.pid) ? info : null;
}

export const demoSandboxNotRunning = (profile: string, dataDir: string): string =>
  `Connection "${profile}" points at the console's embedded demo sandbox, which runs only while the console runs on this data ` +
  `folder (its ports change per launch), and no running console was found for ${dataDir}. Start the console on it ` +
  `(npm start, or "d365ic host --data-dir ${dataDir}"), keep it open and run this command again; or run ` +
  '"d365ic sync run --sandbox" to synchronize a throw-away sandbox instead.';
