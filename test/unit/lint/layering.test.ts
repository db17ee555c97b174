import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'local/layering').map((m) => m.message);
}

describe('layering lint rule', () => {
  it('allows electron only in main/electron and the preload', async () => {
    expect(await layeringErrors('main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await layeringErrors('main/sync/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await layeringErrors('main/sync/x.ts', "export const e = require('electron');\n")).toHaveLength(1);
    expect(await layeringErrors('renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toHaveLength(1);
  });

  it('keeps the renderer away from main, Node and server-only packages', async () => {
    expect(await layeringErrors('renderer/pages/x.ts', "import { openDatabase } from '../../main/db/database';\nexport const a = openDatabase;\n")).toHaveLength(1);
    expect(await layeringErrors('renderer/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await layeringErrors('renderer/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n")).toHaveLength(1);
    expect(await layeringErrors('renderer/x.ts', "import { methods } from '../preload/contract';\nexport const a = methods;\n")).toEqual([]);
  });

  it('keeps main services free of the shell and the renderer, and the contract pure', async () => {
    expect(await layeringErrors('main/app/x.ts', "import { bindIpc } from '../electron/ipc';\nexport const a = bindIpc;\n")).toHaveLength(1);
    expect(await layeringErrors('main/app/x.ts', "import { App } from '../../renderer/App';\nexport const a = App;\n")).toHaveLength(1);
    expect(await layeringErrors('preload/contract/x.ts', "import { openDatabase } from '../../main/db/database';\nexport const a = openDatabase;\n")).toHaveLength(1);
    expect(await layeringErrors('preload/contract/x.ts', "import { z } from 'zod';\nexport const a = z;\n")).toEqual([]);
    expect(await layeringErrors('preload/preload.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
  });
});
