// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * Layering rule. Each runtime has its folder; what a file may import is decided by where it lives:
 *  - preload/contract/**  pure TypeScript + zod: the one contract every runtime shares
 *  - main/electron/**     the Electron shell: the ONLY place that may import 'electron'
 *  - main/**              main-process services: Node, npm packages, the contract; never electron, never renderer
 *  - preload/preload.ts   electron's contextBridge + the contract, nothing else
 *  - renderer/**          DOM + React; the contract; never Node built-ins, main/, electron or server-only packages
 */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const SERVER_ONLY = ['better-sqlite3', '@azure/msal-node', 'ws', 'exceljs', 'tsx'];
const root = path.dirname(new URL(import.meta.url).pathname);

function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/') + '/';
  if (rel.startsWith('preload/contract/')) return 'contract';
  if (rel.startsWith('preload/')) return 'preload';
  if (rel.startsWith('main/electron/')) return 'electron';
  if (rel.startsWith('main/')) return 'main';
  if (rel.startsWith('renderer/')) return 'renderer';
  return 'other';
}

/** @type {import('eslint').Rule.RuleModule} */
const layering = {
  meta: { type: 'problem', schema: [], messages: { bad: '{{layer}} code may not import "{{source}}": {{why}}' } },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (layer === 'other') return {};
    function check(node, source) {
      if (typeof source !== 'string') return;
      const report = (why) => context.report({ node, messageId: 'bad', data: { layer, source, why } });
      const relative = source.startsWith('.');
      const target = relative ? layerOf(path.resolve(path.dirname(file), source)) : null;
      const pkg = relative ? null : source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
      if (pkg === 'electron' && layer !== 'electron' && layer !== 'preload') return report('only main/electron/ and the preload may touch electron');
      switch (layer) {
        case 'contract':
          if (relative ? target !== 'contract' : pkg !== 'zod') report('the contract is pure: zod and itself only');
          break;
        case 'preload':
          if (relative ? target !== 'contract' : pkg !== 'electron') report('the preload exposes the contract only');
          break;
        case 'main':
          if (relative && (target === 'renderer' || target === 'electron' || target === 'preload'))
            report('main services must stay free of the shell and the renderer (use ports)');
          break;
        case 'electron':
          if (relative && (target === 'renderer' || target === 'preload')) report('the shell loads the renderer/preload by path, never by import');
          break;
        case 'renderer':
          if (relative && target !== 'renderer' && target !== 'contract') report('the renderer talks to main only through the contract');
          if (!relative && (NODE_BUILTINS.has(source) || SERVER_ONLY.includes(pkg ?? ''))) report('no Node or server-only modules in the renderer');
          break;
      }
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') check(n, n.arguments[0].value);
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.vite/**', 'out/**', 'dist/**', '.tsbuild/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { local: { rules: { layering } } },
    rules: {
      'local/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='eval']", message: 'no eval' }],
    },
  },
  { files: ['renderer/**', 'test/renderer/**', 'test/e2e/**'], languageOptions: { globals: { ...globals.browser } } },
);
