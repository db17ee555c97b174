/**
 * Keyset paging property: for any rows (with duplicates and NULLs) and any multi-key $orderby, following
 * nextLinks yields exactly the rows of the unpaged query, in the same order, for any page size.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DvStore } from '../../../main/sandbox/dataverse/store';
import { DataverseCore } from '../../../main/sandbox/dataverse/core';
import { ORGANIZATION_ID, seedDataverse } from '../../../main/sandbox/dataverse/seed';
import { ROLE_DEFS, privilegesOf } from '../../../main/sandbox/dataverse/security';
import type { Caller } from '../../../main/sandbox/dataverse/security';

const admin = ROLE_DEFS[0].roleid;
const caller: Caller = { systemuserid: '00000000-0000-4000-8000-000000000101', businessunitid: '', roleIds: [admin], privileges: privilegesOf([admin]), isAdmin: true, accessMode: 0 };

function fresh(): DataverseCore {
  const core = new DataverseCore(new DvStore(), { url: 'http://sandbox', apiBase: 'http://sandbox/api/data/v9.2', clock: () => 1_750_000_000_000, organizationId: ORGANIZATION_ID });
  seedDataverse(core, 'empty', false);
  return core;
}

const get = (core: DataverseCore, url: string, pageSize?: number) => {
  const r = core.handle({ method: 'GET', url, headers: pageSize ? { prefer: `odata.maxpagesize=${pageSize}` } : {}, body: '' }, caller);
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body as string) as { value: { accountid: string }[]; '@odata.nextLink'?: string };
};

describe('keyset paging', () => {
  it('concatenated pages equal the unpaged result for any orderby and page size', () => {
    const rowArb = fc.record({
      name: fc.option(fc.constantFrom('a', 'A', 'b', 'c', "d'x"), { nil: null }),
      numberofemployees: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
      creditonhold: fc.option(fc.boolean(), { nil: null }),
    });
    const keyArb = fc.uniqueArray(fc.constantFrom('name', 'numberofemployees', 'creditonhold'), { maxLength: 3 })
      .chain((keys) => fc.tuple(...keys.map((k) => fc.constantFrom(`${k} asc`, `${k} desc`, k))));
    fc.assert(fc.property(fc.array(rowArb, { maxLength: 40 }), keyArb, fc.integer({ min: 1, max: 7 }), (rows, keys, pageSize) => {
      const core = fresh();
      const r = core.handle({ method: 'POST', url: 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', headers: {}, body: JSON.stringify({
        Targets: rows.map((x) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', ...x })) }) }, caller);
      expect(r.status, r.body).toBe(200);
      const q = `accounts?$select=name${keys.length ? `&$orderby=${encodeURIComponent(keys.join(','))}` : ''}`;
      const full = get(core, q).value.map((x) => x.accountid);
      expect(full).toHaveLength(rows.length);
      const paged: string[] = [];
      let page = get(core, q, pageSize);
      for (;;) {
        expect(page.value.length).toBeLessThanOrEqual(pageSize);
        paged.push(...page.value.map((x) => x.accountid));
        const next = page['@odata.nextLink'];
        if (!next) break;
        page = get(core, next, pageSize);
      }
      expect(paged).toEqual(full);
      core.store.close();
    }), { numRuns: 60 });
  });
});
