import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig } from 'vite';

// One renderer build for both hosts: the Electron shell (app://console, built by forge into
// .vite/renderer/main_window) and the browser host (dist/renderer, served on 127.0.0.1).
export default defineConfig((env) => {
  const forge = 'forgeConfigSelf' in env && env.forgeConfigSelf != null;
  return {
    root: path.resolve(import.meta.dirname, 'renderer'),
    base: './',
    plugins: [react()],
    build: {
      ...(forge ? {} : { outDir: path.resolve(import.meta.dirname, 'dist/renderer'), emptyOutDir: true }),
      chunkSizeWarningLimit: 2500,
    },
  };
});
