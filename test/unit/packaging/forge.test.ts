/**
 * What the packaged app must be, checked against the forge config's real objects (forge itself cannot run on this
 * machine's Node): better-sqlite3 kept in the package and its .node binary unpacked from the asar (by the glob rule
 * @electron/asar applies), the Electron fuses that close the "run as Node" doors, one maker per target platform,
 * and the renderer page's Content-Security-Policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import type { FusesPlugin } from '@electron-forge/plugin-fuses';
import type { minimatch as Minimatch } from 'minimatch';
import config, { keepInPackage } from '../../../forge.config';
import { rendererCsp } from '../../../main/host/security';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
// The matcher @electron/asar itself uses for `unpack` (minimatch with matchBase), resolved from its own folder.
const { minimatch } = createRequire(path.join(repo, 'node_modules', '@electron', 'asar', 'package.json'))('minimatch') as { minimatch: typeof Minimatch };
const unpacked = (file: string) => {
  const asar = config.packagerConfig?.asar;
  if (typeof asar !== 'object' || !asar || typeof asar.unpack !== 'string') return false;
  return minimatch(file, asar.unpack, { matchBase: true });
};
const RESOURCES = '/tmp/out/resources/app';

describe('packaging: better-sqlite3', () => {
  it('keeps the bundled app and exactly the native module with its runtime helpers', () => {
    for (const keep of ['', '/package.json', '/.vite', '/.vite/build/main.cjs', '/.vite/renderer/main_window/index.html', '/node_modules',
      '/node_modules/better-sqlite3', '/node_modules/better-sqlite3/build/Release/better_sqlite3.node', '/node_modules/better-sqlite3/lib/index.js',
      '/node_modules/bindings/bindings.js', '/node_modules/file-uri-to-path/index.js']) {
      expect(keepInPackage(keep), keep).toBe(true);
    }
    for (const drop of ['/main', '/main/electron/main.ts', '/test', '/node_modules/react', '/node_modules/better-sqlite3-helper', '/.git', '/dist/renderer', '/node_modules/electron']) {
      expect(keepInPackage(drop), drop).toBe(false);
    }
    // The packager calls `ignore` with package-relative paths: the function, not a list, decides.
    expect(typeof config.packagerConfig?.ignore).toBe('function');
  });

  it('packs into an asar and unpacks the native binary (a .node file cannot be loaded from inside an asar)', () => {
    expect(config.packagerConfig?.asar).toBeTruthy();
    expect(unpacked(`${RESOURCES}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`)).toBe(true);
    // Only native binaries: the JS stays inside the (integrity-checked) asar.
    for (const inside of ['/node_modules/better-sqlite3/lib/database.js', '/node_modules/bindings/bindings.js', '/.vite/build/main.cjs', '/.vite/renderer/main_window/index.html']) {
      expect(unpacked(`${RESOURCES}${inside}`), inside).toBe(false);
    }
    // Rebuilt for Electron's ABI, and nothing else is.
    expect(config.rebuildConfig?.onlyModules).toEqual(['better-sqlite3']);
  });
});

describe('packaging: Electron fuses', () => {
  const fuses = () => {
    const plugin = config.plugins?.find((p) => (p as { name?: string }).name === 'fuses') as FusesPlugin | undefined;
    expect(plugin, 'the FusesPlugin is configured').toBeDefined();
    return plugin!.fusesConfig as Record<string | number, unknown>;
  };

  it('turns off running as Node, NODE_OPTIONS and the inspector; turns on cookie encryption, asar integrity and asar-only loading', () => {
    const f = fuses();
    expect(f.version).toBe(FuseVersion.V1);
    expect(f[FuseV1Options.RunAsNode]).toBe(false);
    expect(f[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(f[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(f[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(f[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    // Off in every release build; only a packaged E2E smoke build (E2E_PACKAGED=1) keeps the inspector for Playwright.
    expect(f[FuseV1Options.EnableNodeCliInspectArguments]).toBe(process.env.E2E_PACKAGED === '1');
  });
});

describe('packaging: makers', () => {
  it('one installer per platform: Squirrel for Windows, deb for Linux, zip for macOS (and as a portable archive)', () => {
    const makers = (config.makers ?? []) as unknown as { name: string; platforms: string[] }[];
    const byName = Object.fromEntries(makers.map((m) => [m.name, [...m.platforms].sort()]));
    expect(byName).toEqual({ squirrel: ['win32'], deb: ['linux'], zip: ['darwin', 'linux', 'win32'] });
    for (const platform of ['win32', 'darwin', 'linux']) expect(makers.some((m) => m.platforms.includes(platform)), platform).toBe(true);
  });
});

describe('packaging: the renderer page', () => {
  const html = readFileSync(path.join(repo, 'renderer', 'index.html'), 'utf8');
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"\s*\/?>/i.exec(html);
  const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name!, values] as const;
  }));

  it('carries its CSP in the page itself, before any script (whichever way the page is served: app://, file, or the browser host)', () => {
    expect(meta, 'renderer/index.html has a CSP meta tag').not.toBeNull();
    expect(html.indexOf(meta![0])).toBeLessThan(html.search(/<script/i));
    const d = directives(meta![1]!);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    for (const [name, values] of d) expect(values, name).not.toContain("'unsafe-eval'");
    // Nothing from the network: only the page itself and the loopback host's WebSocket.
    expect(d.get('connect-src')!.filter((s) => s !== "'self'").every((s) => /^ws:\/\/(127\.0\.0\.1|localhost):\*$/.test(s))).toBe(true);
    expect(meta![1]).not.toMatch(/https?:\/\//);
  });

  it('says the same as the header the hosts send (frame-ancestors only works as a header)', () => {
    const header = directives(rendererCsp(['ws://127.0.0.1:*', 'ws://localhost:*']));
    const page = directives(meta![1]!);
    header.delete('frame-ancestors');
    expect(page).toEqual(header);
  });
});
