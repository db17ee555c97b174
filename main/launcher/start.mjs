#!/usr/bin/env node
// `npm start`: the desktop shell (Electron via electron-forge) when this machine can run it — Node ≥ 22.13
// and an installed Electron binary — otherwise the browser host: the same renderer and the same main-process
// services, served on 127.0.0.1 with a per-launch secret.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitStatus, spawnForwarding } from './children.mjs';
import { chooseHost } from './decide.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
/** `--static-dir DIR` (passed on to the host): serve, and build if needed, the UI there instead of dist/renderer. */
const staticFlag = args.indexOf('--static-dir');
const staticDir = staticFlag >= 0 && args[staticFlag + 1] ? path.resolve(args[staticFlag + 1]) : path.join(root, 'dist', 'renderer');

/** The electron package records its downloaded binary in path.txt (absent with ELECTRON_SKIP_BINARY_DOWNLOAD). */
function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  const record = path.join(dir, 'path.txt');
  if (!existsSync(record)) return null;
  const binary = path.join(dir, 'dist', readFileSync(record, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function rendererIsStale() {
  const index = path.join(staticDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return [path.join(root, 'renderer'), path.join(root, 'preload', 'contract')].some((d) => newestMtime(d) > built);
}

const choice = chooseHost({ nodeVersion: process.versions.node, electronBinary: electronBinary(), env: process.env, args });
if (choice.host === 'electron') {
  console.error('Starting the desktop app (Electron)…');
  const forge = spawnForwarding(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-forge', 'start'], { cwd: root, stdio: 'inherit' });
  process.exit(exitStatus(await forge.done));
} else {
  console.error(`Starting the browser host (${choice.reason}).`);
  if (rendererIsStale()) {
    console.error('Building the console UI…');
    const build = spawnForwarding(
      process.execPath,
      [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn', '--outDir', staticDir, '--emptyOutDir'],
      { cwd: root, stdio: 'inherit' },
    );
    const outcome = await build.done;
    // Stopped while building: the build is gone too; do not start the host.
    if (outcome.received || outcome.code !== 0) process.exit(exitStatus(outcome));
  }
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/index.ts');
  const hostArgs = args.filter((a) => a !== '--browser');
  process.exitCode = await main(['host', ...(staticFlag >= 0 ? [] : ['--static-dir', staticDir]), ...hostArgs]);
}
