/** Pure parts of the HTTP side adapters: key-derived SystemIds, paging slices, error classification, mappings. */
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../main/http/errors';
import { idFromKey, isTransient, parseTime, slices } from '../../../main/integrations/sales/sync/adapters/common';
import { adapterMappings } from '../../../main/integrations/sales/sync/adapters/connect';
import { BC_ENTITIES, bcEntity, dvEntity } from '../../../main/integrations/sales/sync/adapters/entities';
import { main } from '../../../main/cli/index';
import { openDatabase } from '../../../main/db/database';

const GUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idFromKey (BC idempotent inserts)', () => {
  it('is a stable, well-formed GUID per (namespace, key) and differs across keys and namespaces', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (ns, a, b) => {
      expect(idFromKey(ns, a)).toMatch(GUID_V5);
      expect(idFromKey(ns, a)).toBe(idFromKey(ns, a));
      if (a !== b) expect(idFromKey(ns, a)).not.toBe(idFromKey(ns, b));
      expect(idFromKey(`${ns}x`, a)).not.toBe(idFromKey(ns, a));
    }));
  });
  it('does not let the namespace and key run together', () => {
    expect(idFromKey('ab', 'c')).not.toBe(idFromKey('a', 'bc'));
  });
});

describe('slices', () => {
  it('cuts pages into chunks of at most the page size, keeping order and every row', () => {
    fc.assert(fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 50 }), (rows, size) => {
      const parts = [...slices(rows, size)];
      expect(parts.flat()).toEqual(rows);
      expect(parts.every((p) => p.length >= 1 && p.length <= size)).toBe(true);
    }));
  });
});

describe('isTransient', () => {
  it('retries throttling, 5xx, resets and timeouts, not client errors', () => {
    expect(isTransient(new ServiceError(429, 'x', 'throttled'))).toBe(true);
    expect(isTransient(new ServiceError(503, 'x', 'unavailable'))).toBe(true);
    expect(isTransient(new ServiceError(null, 'NETWORK', 'reset'))).toBe(true);
    expect(isTransient(new ServiceError(null, 'TIMEOUT', 'slow'))).toBe(true);
    expect(isTransient(new ServiceError(400, 'BadRequest', 'bad'))).toBe(false);
    expect(isTransient(new ServiceError(404, 'NotFound', 'gone'))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });
  it('parses ISO stamps and treats junk as 0', () => {
    expect(parseTime('2026-01-01T00:00:00.123Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
    expect(parseTime(undefined)).toBe(0);
    expect(parseTime('nope')).toBe(0);
  });
});

describe('adapterMappings', () => {
  it('keeps only field mappings both adapters can carry, and keeps the key fields', () => {
    const ms = adapterMappings();
    expect(ms.map((m) => m.name).sort()).toEqual(['CUSTOMER', 'ITEM-PRODUCT']);
    for (const m of ms) {
      for (const f of m.fields) if (f.bcField) expect(BC_ENTITIES[m.bcTable]!.fields[f.bcField], `${m.name} ${f.bcField}`).toBeDefined();
      expect(m.fields.some((f) => f.dataverseField === 'transactioncurrencyid' || f.dataverseField === 'ownerid')).toBe(false);
      expect(() => dvEntity(m.dataverseEntitySet)).not.toThrow();
    }
    expect(ms.find((m) => m.name === 'ITEM-PRODUCT')!.fields.map((f) => f.dataverseField)).toEqual(expect.arrayContaining(['productnumber', 'name', 'price']));
  });
  it('names the table and the file to extend for an unknown table', () => {
    expect(() => bcEntity('Fixed Asset')).toThrow(/Fixed Asset.*entities\.ts/);
  });
});

describe('d365ic sync / jobs usage', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), readStdin: async () => '', isTTY: false, env: {}, untilSignal: () => new Promise<string>(() => undefined) } };
  };
  it('with --profile, says where it looked for the console\'s profiles and what to pass instead', async () => {
    const x = io();
    const empty = `${process.env.TMPDIR ?? '/tmp'}/d365ic-no-console-${process.pid}-${Date.now()}`;
    expect(await main(['sync', 'run', '--profile', 'prod', '--data-dir', empty], x.io)).toBe(1);
    expect(x.err.join('')).toMatch(/There is no console data in .*--data-dir/);
  });
  it('rejects an unsupported mapping and conflicting options', async () => {
    const x = io();
    expect(await main(['sync', 'run', '--sandbox', '--mapping', 'NO SUCH MAPPING'], x.io)).toBe(2);
    expect(x.err.join('')).toMatch(/Supported: .*VENDOR.*CONTACT.*PAYMENT TERMS/);
    const bench = io();
    expect(await main(['sync', 'run', '--sandbox', '--records', '10', '--mapping', 'VENDOR'], bench.io)).toBe(2);
    expect(bench.err.join('')).toMatch(/with --records: ITEM-PRODUCT, CUSTOMER/);
    const y = io();
    expect(await main(['sync', 'run', '--sandbox', '--mapping', 'CUSTOMER', '--all'], y.io)).toBe(2);
  });
  it('jobs hold / resume / list work on the queue in the database', async () => {
    const file = `${process.env.TMPDIR ?? '/tmp'}/d365ic-jobs-${process.pid}-${Date.now()}.sqlite`;
    const x = io();
    expect(await main(['jobs', 'hold', 'CUSTOMER', '--db', file], x.io)).toBe(0);
    const l = io();
    expect(await main(['jobs', 'list', '--db', file, '--json'], l.io)).toBe(0);
    expect((JSON.parse(l.out.join('')) as { name: string; status: string }[]).find((e) => e.name === 'CUSTOMER')!.status).toBe('On Hold');
    expect(await main(['jobs', 'resume', 'CUSTOMER', '--db', file], io().io)).toBe(0);
    const l2 = io();
    await main(['jobs', 'list', '--db', file, '--json'], l2.io);
    expect((JSON.parse(l2.out.join('')) as { name: string; status: string }[]).find((e) => e.name === 'CUSTOMER')!.status).toBe('Ready');
    // An overdue Ready entry says why it has not run and how to run it (never a silent "Ready").
    const { db } = openDatabase(file);
    db.prepare("UPDATE sync_job_queue SET earliest_start = ? WHERE name = 'CONTACT'").run(Date.now() - 3_600_000);
    db.close();
    const l3 = io();
    await main(['jobs', 'list', '--db', file, '--json'], l3.io);
    const contact = (JSON.parse(l3.out.join('')) as { name: string; note: string | null }[]).find((e) => e.name === 'CONTACT')!;
    expect(contact.note).toMatch(/^Overdue since .*runs in the console while its Sales connection is enabled.*d365ic jobs run CONTACT/);
    const bad = io();
    expect(await main(['jobs', 'hold', 'NOPE', '--db', file], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/No job named "NOPE"/);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  });
});

describe('retryTransient', () => {
  it('repeats transient failures with growing pauses, then gives up; other errors pass straight through', async () => {
    const { retryTransient } = await import('../../../main/integrations/sales/sync/adapters/common');
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    let calls = 0;
    await expect(retryTransient(async () => {
      if (++calls < 3) throw new ServiceError(null, 'NETWORK', 'reset');
      return 'ok';
    }, 5, 100, sleep)).resolves.toBe('ok');
    expect(sleeps).toEqual([100, 200]);
    calls = 0;
    await expect(retryTransient(async () => {
      calls++;
      throw new ServiceError(503, 'x', 'down');
    }, 3, 10, sleep)).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryTransient(async () => {
      calls++;
      throw new ServiceError(400, 'x', 'bad');
    }, 3, 10, sleep)).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});
