import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * Packaging. The forge Vite plugin bundles main and preload into .vite/build and normally drops every
 * node_modules folder from the package — which loses better-sqlite3 (a native module that cannot be
 * bundled). So we keep exactly the native module and its runtime helpers, and unpack *.node from the asar.
 */
const KEEP_MODULES = ['better-sqlite3', 'bindings', 'file-uri-to-path'];

export function keepInPackage(file: string): boolean {
  if (file === '' || file === '/package.json') return true;
  if (file === '/.vite' || file.startsWith('/.vite/')) return true;
  if (file === '/node_modules') return true;
  return KEEP_MODULES.some((m) => file === `/node_modules/${m}` || file.startsWith(`/node_modules/${m}/`));
}

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Integration Console',
    executableName: 'd365-integration-console',
    appBundleId: 'com.d365ic.console',
    asar: { unpack: '**/*.node' },
    ignore: (file) => !keepInPackage(file),
    icon: 'assets/icon',
  },
  rebuildConfig: { onlyModules: ['better-sqlite3'] },
  makers: [
    new MakerSquirrel({ name: 'd365_integration_console', setupIcon: 'assets/icon.ico' }),
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDeb({ options: { name: 'd365-integration-console', productName: 'Integration Console', categories: ['Development', 'Office'] } }),
  ],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'main/electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'preload/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      // Playwright's _electron driver needs the inspector: only a packaged smoke build (E2E_PACKAGED=1) keeps it.
      [FuseV1Options.EnableNodeCliInspectArguments]: process.env.E2E_PACKAGED === '1',
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
