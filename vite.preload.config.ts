import { defineConfig } from 'vite';

// Sandboxed preloads cannot load sibling chunks: bundle into one CommonJS file.
export default defineConfig({
  build: {
    rollupOptions: {
      output: { format: 'cjs', inlineDynamicImports: true, entryFileNames: '[name].cjs' },
    },
  },
});
