// @ts-check
/**
 * `local/import-patterns`: a per-folder import allow-list that EVERY linted file must be covered by (the model is VS Code's
 * `.eslint-plugin-local/code-import-patterns.ts`). The first rule whose `target` matches a file decides what that file may
 * import: relative imports must resolve into one of its `allow` globs, packages must pass its `packages` check. A file
 * that no rule covers is itself an error, so a new folder cannot slip in without saying where it belongs.
 *
 * The house (docs/architecture.md):
 *  - preload/contract/{core,sales,commerce-teams}: pure zod; an integration's contract may use core, never the other's
 *  - main/kernel: jobs, runs, leases — no integration, no sandbox
 *  - main/integrations/<name>: the shared main folders + its own contract; integrations never import each other
 *  - main/sandbox: the sandboxes — only the app's sandbox wiring, the CLI, bench and tests import them
 *  - main/electron: the only place that imports electron (besides preload/preload.ts)
 *  - renderer: DOM + React + the contract; Sales pages and Commerce ⇄ Teams pages never import each other
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const SERVER_ONLY = ['better-sqlite3', '@azure/msal-node', 'ws', 'exceljs', 'tsx', 'node-forge', 'undici'];

/** Folders of main/ every service may use (platform services, ports, storage, rpc, HTTP and clients, auth, secrets, connections, the kernel). */
const SHARED_MAIN = ['main/platform/**', 'main/ports/**', 'main/db/**', 'main/rpc/**', 'main/http/**', 'main/auth/**', 'main/secrets/**',
  'main/connections/**', 'main/clients/**', 'main/kernel/**'];
const ALL_MAIN_BUT_SHELL = ['main/**', '!main/electron/**'];
const CONTRACT = ['preload/contract/**'];

/** @typedef {{ target: string, allow: string[], packages?: 'any' | 'node' | 'browser' | string[], electron?: boolean, why: string }} ImportRule */
/** @type {ImportRule[]} first match wins — specific before general */
export const IMPORT_RULES = [
  // The contract: pure zod. Core is shared; an integration's contract may build on core, never on another integration's.
  { target: 'preload/contract/core/**', allow: ['preload/contract/core/**'], packages: ['zod'], why: 'the core contract is pure zod and knows no integration' },
  { target: 'preload/contract/sales/**', allow: ['preload/contract/core/**', 'preload/contract/sales/**'], packages: ['zod'], why: 'the Sales contract uses core and itself' },
  { target: 'preload/contract/commerce-teams/**', allow: ['preload/contract/core/**', 'preload/contract/commerce-teams/**'], packages: ['zod'], why: 'the Commerce ⇄ Teams contract uses core and itself' },
  { target: 'preload/contract/*', allow: CONTRACT, packages: ['zod'], why: 'the contract index combines the contract areas only' },
  { target: 'preload/preload.ts', allow: CONTRACT, packages: ['electron'], electron: true, why: 'the preload exposes the contract only' },

  // The renderer: DOM, React, the contract. Pages of one integration never import another's.
  { target: 'renderer/pages/sales/**', allow: ['renderer/**', '!renderer/pages/commerce-teams/**', ...CONTRACT], packages: 'browser', why: 'Sales pages use the renderer and the contract, never Commerce ⇄ Teams pages' },
  { target: 'renderer/pages/commerce-teams/**', allow: ['renderer/**', '!renderer/pages/sales/**', ...CONTRACT], packages: 'browser', why: 'Commerce ⇄ Teams pages use the renderer and the contract, never Sales pages' },
  { target: 'renderer/**', allow: ['renderer/**', ...CONTRACT], packages: 'browser', why: 'the renderer talks to main only through the contract' },

  // main: the shell, the kernel, the integrations, the sandboxes, the composition roots.
  { target: 'main/electron/**', allow: ['main/**', ...CONTRACT], packages: 'node', electron: true, why: 'the shell loads the renderer/preload by path, never by import' },
  { target: 'main/kernel/**', allow: ['main/kernel/**', 'main/platform/**', 'main/ports/**', 'main/db/**', 'main/rpc/**', 'preload/contract/core/**'], packages: 'node', why: 'the kernel imports no integration, no sandbox and no composition root' },
  { target: 'main/integrations/sales/**', allow: ['main/integrations/sales/**', ...SHARED_MAIN, 'preload/contract/core/**', 'preload/contract/sales/**', 'bc-extension/contract/**'], packages: 'node', why: 'Sales uses the kernel, the shared main folders and its own contract; never another integration, the sandboxes or the composition roots' },
  { target: 'main/integrations/commerce-teams/**', allow: ['main/integrations/commerce-teams/**', ...SHARED_MAIN, 'preload/contract/core/**', 'preload/contract/commerce-teams/**'], packages: 'node', why: 'Commerce ⇄ Teams uses the kernel, the shared main folders and its own contract; never another integration, the sandboxes or the composition roots' },
  { target: 'main/integrations/*', allow: [], packages: [], why: 'each integration lives in its own folder under main/integrations/' },
  { target: 'main/sandbox/**', allow: ['main/sandbox/**', 'main/ports/**', 'main/platform/**'], packages: 'node', why: 'the sandboxes are self-contained fakes of remote services; they never use the product code they are tested with' },
  { target: 'main/clients/**', allow: ['main/clients/**', 'main/http/**', 'main/ports/**', 'main/platform/**'], packages: 'node', why: 'clients sit on the shared HTTP client and know no service or integration' },
  { target: 'main/app/sandbox-*.ts', allow: [...ALL_MAIN_BUT_SHELL, ...CONTRACT], packages: 'node', why: "the app's sandbox wiring may start the sandboxes" },
  { target: 'main/app/demo-profiles.ts', allow: [...ALL_MAIN_BUT_SHELL, ...CONTRACT], packages: 'node', why: "the app's demo profiles point at the sandboxes" },
  { target: 'main/app/**', allow: [...ALL_MAIN_BUT_SHELL, '!main/sandbox/**', ...CONTRACT], packages: 'node', why: 'the composition root wires services; only its sandbox-*.ts files touch the sandboxes' },
  { target: 'main/cli/**', allow: [...ALL_MAIN_BUT_SHELL, ...CONTRACT], packages: 'node', why: 'the CLI is a composition root without the shell' },
  { target: 'main/launcher/**', allow: ['main/launcher/**', 'main/cli/**'], packages: 'node', why: 'the launcher starts the CLI or the shell' },
  { target: 'main/host/**', allow: ['main/host/**', ...SHARED_MAIN, ...CONTRACT], packages: 'node', why: 'the browser host is a transport over the shared main folders' },
  { target: 'main/{platform,ports,db,rpc,http,auth,secrets,connections}/**', allow: [...SHARED_MAIN, ...CONTRACT], packages: 'node', why: 'shared main folders use each other and the contract, never an integration, the sandboxes or a composition root' },

  // Outside the product: tests, benchmarks and build configuration may import anything.
  { target: 'test/**', allow: ['**'], packages: 'any', electron: true, why: '' },
  { target: 'bench/**', allow: ['**'], packages: 'any', why: '' },
  { target: 'assets/*.mjs', allow: ['**'], packages: 'any', why: '' },
  { target: '*.{ts,js,mjs,cjs}', allow: ['**'], packages: 'any', electron: true, why: '' },
  { target: 'eslint/**', allow: ['**'], packages: 'any', why: '' },
];

/** Minimal glob → RegExp: `**` any depth, `*` within one segment, `{a,b}` alternatives. */
export function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      re += `(?:${glob.slice(i + 1, end).split(',').map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&')).join('|')})`;
      i = end;
    } else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
const compiled = IMPORT_RULES.map((r) => ({
  ...r,
  targetRe: globToRegExp(r.target),
  allowRe: r.allow.filter((g) => !g.startsWith('!')).map(globToRegExp),
  denyRe: r.allow.filter((g) => g.startsWith('!')).map((g) => globToRegExp(g.slice(1))),
}));

/** @param {string} rel repo-relative file path */
export function ruleFor(rel) {
  return compiled.find((r) => r.targetRe.test(rel));
}

/** @param {string} root @returns {import('eslint').Rule.RuleModule} */
export function importPatterns(root) {
  return {
    meta: { type: 'problem', schema: [], messages: { bad: '{{file}} may not import "{{source}}": {{why}}', uncovered: '{{file}} is not covered by any import rule: add its folder to eslint/import-patterns.js (and docs/architecture.md)' } },
    create(context) {
      const rel = path.relative(root, context.filename).split(path.sep).join('/');
      if (rel.startsWith('..')) return {};
      const rule = ruleFor(rel);
      if (!rule) {
        return { Program: (node) => context.report({ node, messageId: 'uncovered', data: { file: rel } }) };
      }
      /** @param {import('estree').Node} node @param {unknown} source */
      function check(node, source) {
        if (typeof source !== 'string') return;
        const report = (why) => context.report({ node, messageId: 'bad', data: { file: rel, source, why } });
        if (source.startsWith('.')) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), source));
          const ok = rule.allowRe.some((re) => re.test(target) || re.test(`${target}/x`)) && !rule.denyRe.some((re) => re.test(target) || re.test(`${target}/x`));
          if (!ok) report(rule.why);
          return;
        }
        const pkg = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
        if (pkg === 'electron' && !rule.electron) return report('only main/electron/ and the preload may touch electron');
        const p = rule.packages;
        if (p === 'any' || p === 'node') return;
        if (p === 'browser') {
          if (NODE_BUILTINS.has(source) || SERVER_ONLY.includes(pkg)) report('no Node or server-only modules in the renderer');
          return;
        }
        if (Array.isArray(p) && !p.includes(pkg)) report(rule.why);
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
}
