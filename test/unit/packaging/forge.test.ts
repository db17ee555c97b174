import { describe, expect, it } from 'vitest';
import config, { keepInPackage } from '../../../forge.config';

describe('packaging (forge config)', () => {
  it('keeps the bundled app and exactly the native module with its runtime helpers', () => {
    for (const keep of ['', '/package.json', '/.vite', '/.vite/build/main.cjs', '/.vite/renderer/main_window/index.html', '/node_modules',
      '/node_modules/better-sqlite3', '/node_modules/better-sqlite3/build/Release/better_sqlite3.node', '/node_modules/bindings/bindings.js',
      '/node_modules/file-uri-to-path/index.js']) {
      expect(keepInPackage(keep), keep).toBe(true);
    }
    for (const drop of ['/main', '/main/electron/main.ts', '/test', '/node_modules/react', '/node_modules/better-sqlite3-helper', '/.git', '/dist/renderer']) {
      expect(keepInPackage(drop), drop).toBe(false);
    }
  });

  it('unpacks native modules from the asar and ships the three makers', () => {
    expect(config.packagerConfig?.asar).toEqual({ unpack: '**/*.node' });
    expect(config.rebuildConfig).toEqual({ onlyModules: ['better-sqlite3'] });
    expect(config.makers?.map((m) => (m as { name: string }).name).sort()).toEqual(['deb', 'squirrel', 'zip']);
  });
});
