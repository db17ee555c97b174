import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchItem, BatchOperation } from '../../../main/clients/dataverse/batch';
import { buildBatch, parseBatchResponse } from '../../../main/clients/dataverse/batch';
import { boundaryOf, formatBatch, parseBatch } from '../../../main/sandbox/dataverse/batch';
import type { BatchOutItem } from '../../../main/sandbox/dataverse/batch';

const BASE = 'https://org.crm4.dynamics.com/api/data/v9.2';
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
// Bodies are arbitrary JSON, including strings with CRLF, "--" and multipart-looking text.
const jsonBody = fc.dictionary(name, fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('\r\n--batch\r\n\r\nHTTP/1.1 200 OK')), { maxKeys: 4 });
const write: fc.Arbitrary<BatchOperation> = fc.record({
  method: fc.constantFrom('POST' as const, 'PATCH' as const, 'DELETE' as const),
  url: name.map((n) => `${n}s`),
  body: jsonBody,
  headers: fc.constantFrom<Record<string, string>>({}, { 'If-Match': '*' }, { 'If-Match': 'W/"12"', Prefer: 'return=representation' }),
});
const get: fc.Arbitrary<BatchOperation> = fc.record({ method: fc.constant('GET' as const), url: name.map((n) => `${n}s?$select=name`) });
const items: fc.Arbitrary<BatchItem[]> = fc.array(fc.oneof(get, write, fc.array(write, { minLength: 1, maxLength: 4 }).map((cs) => ({ changeSet: cs }))), { minLength: 1, maxLength: 6 });

const lower = (h: Record<string, string> | undefined) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

describe('buildBatch → the sandbox parser (independent implementation)', () => {
  it('round-trips methods, absolute URLs, headers, bodies and Content-IDs', () => {
    fc.assert(fc.property(items, (input) => {
      const built = buildBatch(input, BASE);
      const parsed = parseBatch(built.body, boundaryOf(built.contentType)!);
      let contentId = 0;
      expect(parsed).toHaveLength(input.length);
      parsed.forEach((p, i) => {
        const src = input[i]!;
        const ops = 'changeSet' in src ? src.changeSet : [src];
        const got = p.kind === 'changeset' ? p.requests : [p.req];
        expect(p.kind).toBe('changeSet' in src ? 'changeset' : 'request');
        got.forEach((g, j) => {
          const o = ops[j]!;
          expect(g.method).toBe(o.method);
          expect(g.url).toBe(`${BASE}/${o.url}`);
          expect(g.body).toBe(o.body === undefined ? '' : JSON.stringify(o.body));
          for (const [k, v] of Object.entries(lower(o.headers))) expect(g.headers[k]).toBe(v);
          if ('changeSet' in src) expect(g.contentId).toBe(String(++contentId));
          else expect(g.contentId).toBeUndefined();
        });
      });
    }), { numRuns: 150 });
  });

  it('refuses GET inside a change set and duplicate Content-IDs', () => {
    expect(() => buildBatch([{ changeSet: [{ method: 'GET', url: 'accounts' }] }], BASE)).toThrow(/GET/);
    expect(() => buildBatch([{ changeSet: [{ method: 'POST', url: 'a', body: {}, contentId: '1' }] }, { changeSet: [{ method: 'POST', url: 'b', body: {}, contentId: '1' }] }], BASE)).toThrow(/Content-ID 1/);
  });

  it('refuses a body that contains the boundary', () => {
    expect(() => buildBatch([{ method: 'POST', url: 'accounts', body: { name: '--b1\r\n' } }], BASE, { boundary: 'b1' })).toThrow(/boundary/);
  });

  it('keeps $n references unprefixed', () => {
    const built = buildBatch([{ changeSet: [{ method: 'POST', url: 'accounts', body: {} }, { method: 'POST', url: '$1/contact_customer_accounts', body: {} }] }], BASE);
    expect(built.body).toContain('POST $1/contact_customer_accounts HTTP/1.1');
  });
});

const status = fc.constantFrom(200, 201, 204, 304, 400, 404, 412, 429, 500);
const inner = fc.record({
  status,
  headers: fc.constantFrom<Record<string, string>>({}, { 'OData-EntityId': `${BASE}/accounts(00000000-0000-4000-8000-000000000001)` }, { 'Content-Type': 'application/json; odata.metadata=minimal', ETag: 'W/"5"' }),
  body: fc.option(jsonBody.map((b) => JSON.stringify(b)), { nil: undefined }),
});
const outItems: fc.Arbitrary<BatchOutItem[]> = fc.array(fc.oneof(
  inner.map((res) => ({ kind: 'response' as const, res })),
  fc.array(inner, { minLength: 1, maxLength: 3 }).map((rs) => ({ kind: 'changeset' as const, responses: rs.map((res, i) => ({ res, contentId: String(i + 1) })) })),
), { minLength: 1, maxLength: 5 });

describe('the sandbox formatter → parseBatchResponse', () => {
  it('recovers every part with status, headers, JSON body, Content-ID and change set index', () => {
    fc.assert(fc.property(outItems, (out) => {
      const { boundary, body } = formatBatch(out);
      const parsed = parseBatchResponse(`multipart/mixed; boundary=${boundary}`, body);
      const expected = out.flatMap((it, index): { res: { status: number; headers: Record<string, string>; body?: string }; cs: number | undefined; cid: string | undefined }[] => it.kind === 'response' ? [{ res: it.res, cs: undefined, cid: undefined }] : it.responses.map((r) => ({ res: r.res, cs: index, cid: r.contentId })));
      expect(parsed).toHaveLength(expected.length);
      parsed.forEach((p, i) => {
        const e = expected[i]!;
        expect(p.status).toBe(e.res.status);
        expect(p.changeSet).toBe(e.cs);
        expect(p.contentId).toBe(e.cid);
        for (const [k, v] of Object.entries(lower(e.res.headers))) expect(p.headers[k]).toBe(v);
        const isJson = /json/i.test(lower(e.res.headers)['content-type'] ?? '');
        if (!e.res.body) expect(p.body).toBeNull();
        else expect(p.body).toEqual(isJson ? JSON.parse(e.res.body) : e.res.body);
      });
    }), { numRuns: 150 });
  });

  it('accepts a quoted boundary and LF-only line endings', () => {
    const text = '--b\nContent-Type: application/http\n\nHTTP/1.1 204 No Content\nOData-EntityId: x(1)\n\n\n--b--\n';
    expect(parseBatchResponse('multipart/mixed; boundary="b"', text)).toEqual([{ status: 204, statusText: 'No Content', headers: { 'odata-entityid': 'x(1)' }, body: null }]);
  });

  it('rejects a non-multipart answer with a clear message', () => {
    expect(() => parseBatchResponse('application/json', '{}')).toThrow(/not multipart/);
  });
});
