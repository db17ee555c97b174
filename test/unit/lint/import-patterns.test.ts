// The import allow-list (eslint/import-patterns.js): every file is covered by a rule, and each rule lets through what the
// house allows and nothing else. Linted through ESLint itself, with the repository's config, on virtual files.
import { ESLint } from 'eslint';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module without types
import { ruleFor } from '../../../eslint/import-patterns.js';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'local/import-patterns').map((m) => m.message);
}
const use = (source: string) => `import * as m from '${source}';\nexport const a = m;\n`;

describe('import allow-list', () => {
  it('covers every source file in the repository (a file no rule covers is an error)', () => {
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\n').filter((f) => /\.(ts|tsx|mts|js|mjs|cjs)$/.test(f) && !f.startsWith('node_modules/'));
    expect(files.length).toBeGreaterThan(300);
    expect(files.filter((f) => !ruleFor(f))).toEqual([]);
  });

  it('reports a file in a folder no rule knows', async () => {
    expect(await importErrors('main/newfolder/x.ts', 'export const a = 1;\n')).toEqual([expect.stringContaining('not covered by any import rule')]);
    expect(await importErrors('main/integrations/loose.ts', 'export const a = 1;\n')).toHaveLength(0);
    expect(await importErrors('main/integrations/loose.ts', use('../kernel/jobs/log'))).toHaveLength(1);
  });

  it('keeps integrations apart: neither imports the other, and Sales never imports a sandbox or a composition root', async () => {
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../commerce-teams/plan'))).toHaveLength(1);
    expect(await importErrors('main/integrations/commerce-teams/x.ts', use('../sales/mappings/defaults'))).toHaveLength(1);
    expect(await importErrors('main/integrations/commerce-teams/x.ts', use('../../../preload/contract/sales/sync'))).toHaveLength(1);
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../sandbox/index'))).toHaveLength(1);
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../app/create-app'))).toHaveLength(1);
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../../preload/contract'))).toHaveLength(1);
    // What they may use: the kernel, the shared folders, their own contract and core.
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../kernel/jobs/log'))).toEqual([]);
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../clients/dataverse'))).toEqual([]);
    expect(await importErrors('main/integrations/sales/sync/x.ts', use('../../../../preload/contract/sales/sync'))).toEqual([]);
    expect(await importErrors('main/integrations/commerce-teams/x.ts', use('../../clients/graph'))).toEqual([]);
    expect(await importErrors('main/integrations/commerce-teams/x.ts', use('../../../preload/contract/core/rpc'))).toEqual([]);
  });

  it('keeps the kernel free of integrations, sandboxes and the composition root', async () => {
    expect(await importErrors('main/kernel/jobs/x.ts', use('../../integrations/sales/mappings/jobs'))).toHaveLength(1);
    expect(await importErrors('main/kernel/jobs/x.ts', use('../../sandbox/index'))).toHaveLength(1);
    expect(await importErrors('main/kernel/jobs/x.ts', use('../../app/create-app'))).toHaveLength(1);
    expect(await importErrors('main/kernel/jobs/x.ts', use('../../db/database'))).toEqual([]);
  });

  it('lets only the app sandbox wiring, the CLI, bench and tests import main/sandbox', async () => {
    expect(await importErrors('main/app/sandbox-service.ts', use('../sandbox/index'))).toEqual([]);
    expect(await importErrors('main/cli/commands/x.ts', use('../../sandbox/index'))).toEqual([]);
    expect(await importErrors('bench/x.ts', use('../main/sandbox/index'))).toEqual([]);
    expect(await importErrors('test/integration/x.test.ts', use('../../main/sandbox/index'))).toEqual([]);
    expect(await importErrors('main/app/create-app-x.ts', use('../sandbox/index'))).toHaveLength(1);
    expect(await importErrors('main/connections/x.ts', use('../sandbox/index'))).toHaveLength(1);
    expect(await importErrors('main/clients/graph/x.ts', use('../../sandbox/graph'))).toHaveLength(1);
    // …and the sandboxes never use product code.
    expect(await importErrors('main/sandbox/graph/x.ts', use('../../clients/graph'))).toHaveLength(1);
  });

  it('allows electron only in main/electron and the preload', async () => {
    expect(await importErrors('main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await importErrors('main/integrations/sales/sync/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await importErrors('main/kernel/x.ts', "export const e = require('electron');\n")).toHaveLength(1);
    expect(await importErrors('renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toHaveLength(1);
  });

  it('keeps the renderer away from main, Node and server-only packages, and integration pages apart', async () => {
    expect(await importErrors('renderer/pages/x.ts', use('../../main/db/database'))).toHaveLength(1);
    expect(await importErrors('renderer/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await importErrors('renderer/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n")).toHaveLength(1);
    expect(await importErrors('renderer/x.ts', use('../preload/contract'))).toEqual([]);
    expect(await importErrors('renderer/pages/sales/sync/x.tsx', use('../../commerce-teams/plan/PlanPage'))).toHaveLength(1);
    expect(await importErrors('renderer/pages/commerce-teams/x.tsx', use('../sales/sync/SyncPage'))).toHaveLength(1);
  });

  it('keeps the shell away from the renderer and the contract pure', async () => {
    expect(await importErrors('main/app/x.ts', use('../electron/ipc'))).toHaveLength(1);
    expect(await importErrors('main/app/x.ts', use('../../renderer/App'))).toHaveLength(1);
    expect(await importErrors('preload/contract/core/x.ts', use('../../../main/db/database'))).toHaveLength(1);
    expect(await importErrors('preload/contract/core/x.ts', use('../sales/sync'))).toHaveLength(1);
    expect(await importErrors('preload/contract/sales/x.ts', use('../core/rpc'))).toEqual([]);
    expect(await importErrors('preload/contract/core/x.ts', "import { z } from 'zod';\nexport const a = z;\n")).toEqual([]);
    expect(await importErrors('preload/contract/core/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await importErrors('preload/preload.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
  });
});
