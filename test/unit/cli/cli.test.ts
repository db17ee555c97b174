import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../support/cli';
import { main } from '../../../main/cli/index';
import { parseFlags } from '../../../main/cli/io';


const root = path.resolve(import.meta.dirname, '../../..');

describe('d365ic dispatcher', () => {
  it('prints usage and exits 2 without a command; exits 2 on an unknown command', async () => {
    const a = fakeIo();
    expect(await main([], a)).toBe(2);
    expect(a.out).toContain('Usage: d365ic <command>');
    const b = fakeIo();
    expect(await main(['frobnicate'], b)).toBe(2);
    expect(b.err).toContain('Unknown command "frobnicate"');
  });

  it('parses flags in the usual forms', () => {
    expect(parseFlags(['--port', '5', '--x=y', '--json', 'pos', '--', '--literal'], ['json'])).toEqual({
      flags: { port: '5', x: 'y', json: true },
      positionals: ['pos', '--literal'],
    });
  });

  it('runs as a real executable through the package bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'main/cli/bin.mjs'), '--version'], { cwd: root });
    expect(stdout.trim()).toBe('0.1.0');
  });
});
