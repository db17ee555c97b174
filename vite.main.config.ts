import { defineConfig } from 'vite';

// Electron main (forge Vite plugin). better-sqlite3 is a native module: keep it external so it is loaded
// from node_modules at runtime (forge.config.ts packages and unpacks it). .cjs because package.json is ESM.
export default defineConfig({
  build: {
    rollupOptions: {
      external: ['better-sqlite3'],
      output: { entryFileNames: '[name].cjs' },
    },
  },
});
