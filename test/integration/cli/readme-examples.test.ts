/**
 * The README's CLI examples (README.md "## CLI"), run as written through a shell with `npx d365ic`, on a temporary
 * home folder: each must succeed. The profile example needs the console running on the data folder (the demo
 * profiles point at its embedded sandbox), so the console is started first with `d365ic host`, as a user would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/app';
import { DEMO_BUILT_TO_FAIL } from '../../../main/sandbox/seed/demo';
import { runnableMappings } from '../../../main/integrations/sales/sync/adapters/connect';

const ROOT = path.resolve(__dirname, '../../..');
const home = tempDir('d365ic-readme-');
const dataDir = path.join(home.dir, '.config', 'd365-integration-console');
const env = { ...process.env, HOME: home.dir, XDG_CONFIG_HOME: path.join(home.dir, '.config'), D365IC_DATA_DIR: '', D365IC_NO_BROWSER: '1', CI: '1' };
delete (env as Record<string, string | undefined>).D365IC_DATA_DIR;

/** The command lines of the README's CLI code block. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CLI'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx d365ic'));
}

/** Runs a long-lived command until its first stdout line (JSON), then leaves it running. */
function startUntilFirstLine(cmd: string): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = spawn('bash', ['-c', `exec ${cmd}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, first: JSON.parse(out.slice(0, nl)) as Record<string, unknown> });
    });
    child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code} before printing: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

const examples = readmeExamples();
let consoleHost: ChildProcess | null = null;

beforeAll(async () => {
  // The console on the data folder the README's profile example uses (the OS default under this HOME).
  consoleHost = (await startUntilFirstLine(`npx d365ic host --port 0 --no-open --data-dir '${dataDir}'`)).child;
}, 120_000);
afterAll(async () => {
  if (consoleHost) await stop(consoleHost);
  home.cleanup();
});

describe('README CLI examples', () => {
  it('the README lists the examples this test runs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    expect(examples.some((e) => e.includes("--profile 'Demo sandbox · Dataverse'"))).toBe(true);
  });

  for (const example of examples) {
    it(`runs: ${example}`, async () => {
      const cmd = example.replace(/\s+#.*$/, '');
      if (/ d365ic sandbox\b/.test(cmd)) {
        // A server: its first stdout line is the endpoints JSON; then it is stopped. The README's port may be taken on a
        // shared machine (another sandbox): only then the same command runs on a free port.
        const port = /--port (\d+)/.exec(cmd)?.[1];
        const run = port && !(await portFree(Number(port))) ? cmd.replace(`--port ${port}`, `--port ${await freePort()}`) : cmd;
        const { child, first } = await startUntilFirstLine(run);
        await stop(child);
        expect(first).toMatchObject({ dataverse: expect.anything(), businessCentral: expect.anything() });
        return;
      }
      const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
      if (cmd.includes('sync run --sandbox')) {
        // Every default mapping ran (a result per mapping); the demo company's records built to fail make it exit 1
        // (documented in its --help), and nothing else failed.
        const results = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; mapping?: string; failed?: number });
        const ran = new Set(results.filter((x) => x.event === 'result').map((x) => x.mapping));
        for (const m of runnableMappings({})) expect(ran.has(m.name), m.name).toBe(true);
        expect(results.filter((x) => x.event === 'error')).toEqual([]);
        const errors = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
        expect(errors.filter((l) => !DEMO_BUILT_TO_FAIL.some((re) => re.test(l)) && !/^Contact KT\d+ must be coupled/.test(l))).toEqual([]);
        expect(r.status).toBe(errors.length ? 1 : 0);
        return;
      }
      expect({ cmd, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ cmd, status: 0, stderr: '' });
      if (cmd.includes(' teams ')) {
        // Commerce ⇄ Teams through the running console's demo profiles: a check's findings or a plan's stores.
        expect(r.stdout).toMatch(cmd.includes('--json') ? /"findings":\[/ : /\d{6}/);
        return;
      }
      if (cmd.includes('--profile')) {
        // Ran through the running console's demo sandbox (found in the data folder) into the console's own database.
        expect(existsSync(path.join(dataDir, 'demo-sandbox.json'))).toBe(true);
        expect(r.stdout).toMatch(/"event":"result","mapping":"CUSTOMER"/);
      }
    }, 300_000);
  }
});
