/**
 * UpsertMultiple asks once per request which primary ids exist (in chunks of 500) and skips the UPDATE-as-existence-
 * check for the rest. A request mixing existing and new ids across chunk boundaries, with upper-case ids and repeats,
 * must still update exactly the existing rows and create the others.
 */
import { describe, expect, it } from 'vitest';
import { DvStore } from '../../../main/sandbox/dataverse/store';
import { DataverseCore } from '../../../main/sandbox/dataverse/core';
import { ORGANIZATION_ID, seedDataverse } from '../../../main/sandbox/dataverse/seed';
import { ROLE_DEFS, nameGuid, privilegesOf } from '../../../main/sandbox/dataverse/security';
import type { Caller } from '../../../main/sandbox/dataverse/security';
import { SANDBOX_USERS } from '../../../main/sandbox/directory';

const admin = ROLE_DEFS[0].roleid;
const user = SANDBOX_USERS.find((u) => u.kind === 'admin') ?? SANDBOX_USERS[0];
const caller: Caller = { systemuserid: user.dataverse!.systemUserId, businessunitid: nameGuid('businessunit:root'), roleIds: [admin], privileges: privilegesOf([admin]), isAdmin: true, accessMode: 0 };
type Json = Record<string, unknown>;

describe('UpsertMultiple existence prefetch', () => {
  it('updates existing ids and creates new ones across 500-id chunks, repeats and id case', () => {
    const core = new DataverseCore(new DvStore(), { url: 'http://sandbox', apiBase: 'http://sandbox/api/data/v9.2', clock: () => 1_750_000_000_000, organizationId: ORGANIZATION_ID });
    seedDataverse(core, 'demo', true);
    const call = (method: string, url: string, body?: unknown) => {
      const r = core.handle({ method, url, headers: {}, body: body === undefined ? '' : JSON.stringify(body) }, caller);
      return { status: r.status, json: r.body ? (JSON.parse(r.body) as Json) : undefined };
    };
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const typed = (rows: Json[]) => rows.map((r) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', ...r }));
    // Every third id exists beforehand.
    const existing = Array.from({ length: 1200 }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: typed(existing.map((i) => ({ accountid: id(i), name: `old ${i}`, telephone1: 'kept' }))) }).status).toBe(200);
    const targets = Array.from({ length: 1200 }, (_, i) => ({ accountid: i % 2 ? id(i).toUpperCase() : id(i), name: `new ${i}` }));
    targets.push({ accountid: id(1), name: 'repeat 1' }, { accountid: id(3), name: 'repeat 3' });
    const r = call('POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: typed(targets) });
    expect(r.status).toBe(200);
    const results = r.json!.Results as { RecordCreated: boolean; Target: Json }[];
    expect(results.map((x) => x.RecordCreated)).toEqual([...targets.slice(0, 1200).map((_, i) => i % 3 !== 0), false, false]);
    for (const i of [0, 1, 2, 3, 499, 500, 501, 999, 1198]) {
      const row = call('GET', `accounts(${id(i)})?$select=name,telephone1`).json!;
      expect(row.name).toBe(i === 1 ? 'repeat 1' : i === 3 ? 'repeat 3' : `new ${i}`);
      expect(row.telephone1).toBe(i % 3 === 0 ? 'kept' : null);
    }
  });
});
