import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../app/create-app';
import { EmbeddedSandbox } from '../../app/sandbox-service';
import { databaseFile, defaultDataDir, keyFile } from '../../platform/paths';
import { openDatabase } from '../../db/database';
import { recoverDatabase } from '../../db/recovery';
import { AppFailure } from '../../rpc/errors';
import { openSystemBrowser } from '../../host/open-browser';
import { startBrowserHost } from '../../host/server';
import { KeyFileCipher } from '../../secrets/key-file-cipher';
import type { CliCommand } from '../io';
import { parseFlags, UsageError } from '../io';

const HELP = `Usage: d365ic host [--port N] [--data-dir DIR] [--static-dir DIR] [--no-open] [--no-sandbox] [--restore-backup | --fresh-store]

Serves the console on http://127.0.0.1 (loopback only) for a browser, with the same services as the desktop
app. Prints one JSON line {"url","origin","port","dataDir"} first; the URL carries this launch's secret.
Secrets are encrypted with a key file in the data folder (the desktop app uses the OS vault).
The demo sandbox (local Dataverse, Business Central and identity services) starts with it unless --no-sandbox.
Stops on Ctrl+C.
When the data file is damaged: --restore-backup moves it aside and starts from the latest automatic backup;
--fresh-store moves it aside and starts with an empty store. Neither touches a store that opens fine.
`;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const hostCommand: CliCommand = async (args, io) => {
  const { flags } = parseFlags(args, ['no-open', 'no-sandbox', 'help', 'restore-backup', 'fresh-store']);
  if (flags.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535.\n\n${HELP}`);
  const dataDir = typeof flags['data-dir'] === 'string' ? path.resolve(flags['data-dir']) : defaultDataDir(io.env);
  const staticDir = typeof flags['static-dir'] === 'string' ? path.resolve(flags['static-dir']) : path.join(repoRoot, 'dist', 'renderer');

  if (flags['restore-backup'] || flags['fresh-store']) {
    if (flags['restore-backup'] && flags['fresh-store']) throw new UsageError(`Choose one: --restore-backup or --fresh-store.\n\n${HELP}`);
    io.stderr(recoverStore(databaseFile(dataDir), flags['restore-backup'] ? 'backup' : 'fresh') + '\n');
  }
  const sandbox = flags['no-sandbox'] ? EmbeddedSandbox.none() : await EmbeddedSandbox.start({ seed: 'demo', dataDir }); // the Graph sandbox's CA stays in the data folder across launches
  // Tests only: a shorter job-queue heartbeat than BC's ~30 s, so an E2E test can watch the queue run on schedule.
  const tick = Number(io.env.D365IC_SCHEDULER_INTERVAL_MS);
  const schedulerIntervalMs = Number.isInteger(tick) && tick > 0 ? tick : undefined;
  const app = createApp({ host: 'browser', dataDir, cipher: (dir) => new KeyFileCipher(keyFile(dir)), sandbox, schedulerIntervalMs });
  await app.ready;
  const host = await startBrowserHost({ router: app.router, events: app.events, staticDir, port });
  io.stdout(JSON.stringify({ url: host.url, origin: host.origin, port: host.port, dataDir }) + '\n');
  io.stderr(
    [
      '',
      `  Integration Console is running at ${host.url}`,
      `  Data folder: ${dataDir}`,
      sandbox.handle ? `  Demo sandbox: Dataverse ${sandbox.handle.info.dataverse.url}, Business Central ${sandbox.handle.info.businessCentral.apiBase}` : '  Demo sandbox: off',
      `  Secrets are encrypted with the key file ${keyFile(dataDir)} (browser host).`,
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n') + '\n',
  );
  if (!flags['no-open'] && !io.env.D365IC_NO_BROWSER && !io.env.CI) {
    if (!openSystemBrowser(host.url, io.env)) io.stderr('  No browser found on this machine: open the address above yourself.\n');
  }
  await io.untilSignal();
  await host.close();
  await sandbox.close();
  app.close();
  return 0;
};

/** Acts only on a store that really is damaged (DB_DAMAGED): a store that opens fine is left alone. */
export function recoverStore(file: string, how: 'backup' | 'fresh'): string {
  try {
    openDatabase(file).db.close();
    return `  The data file ${file} opens fine; nothing was moved or restored.`;
  } catch (x) {
    if (!(x instanceof AppFailure) || x.code !== 'DB_DAMAGED') throw x;
  }
  const r = recoverDatabase(file, how);
  return `  The damaged data file was moved to ${r.movedTo}. ` + (r.restoredFrom ? `Starting from the backup ${r.restoredFrom}.` : 'Starting with a fresh, empty store.');
}
