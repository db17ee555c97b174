import { describe, expect, it } from 'vitest';
import { basicAuthProvider, BusinessCentralClient, bcOnlineApiRoot, bcOnPremApiRoot } from '../../../main/clients/bc';
import { DataverseClient } from '../../../main/clients/dataverse';
import { ChangeTrackingExpiredError, isAlreadyExists, isConcurrencyConflict } from '../../../main/clients/errors';
import { rawTransport } from '../../../main/clients/raw';
import type { FetchLike } from '../../../main/http/client';
import { HttpClient } from '../../../main/http/client';
import { ServiceError } from '../../../main/http/errors';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };
/** A scripted server: each handler answers one request, in order. */
function scripted(...handlers: ((c: Call) => Response)[]): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: (url, init) => {
      const c: Call = { url, method: init.method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) };
      calls.push(c);
      const h = handlers[calls.length - 1];
      if (!h) throw new Error(`unexpected request ${init.method} ${url}`);
      return Promise.resolve(h(c));
    },
  };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const empty = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });
const DV = 'https://org.crm4.dynamics.com/api/data/v9.2';
const ID = '00000000-0000-4000-8000-000000000001';
const noSleep = { sleep: () => Promise.resolve(), retryBaseMs: 1 };

function dvClient(fetch: FetchLike) {
  const http = new HttpClient({ baseUrl: DV, fetch, ...noSleep });
  return new DataverseClient({ http, raw: rawTransport({ http, fetch, sleep: () => Promise.resolve() }) });
}

describe('DataverseClient wire format', () => {
  it('update sends If-Match: * by default; upsert sends none; createOnly sends If-None-Match: *', async () => {
    const s = scripted(() => empty(204), () => empty(204), () => empty(204));
    const dv = dvClient(s.fetch);
    await dv.update('accounts', ID, { name: 'a' });
    await dv.upsert('accounts', ID, { name: 'a' });
    await dv.createOnly('accounts', ID, { name: 'a' });
    expect(s.calls.map((c) => [c.method, c.headers['If-Match'], c.headers['If-None-Match']])).toEqual([
      ['PATCH', '*', undefined], ['PATCH', undefined, undefined], ['PATCH', undefined, '*'],
    ]);
    expect(s.calls[0]!.url).toBe(`${DV}/accounts(${ID})`);
  });

  it('create reads the id from OData-EntityId and puts a client-chosen id in the body', async () => {
    const s = scripted(() => empty(204, { 'OData-EntityId': `${DV}/accounts(${ID})` }));
    const r = await dvClient(s.fetch).create('accounts', { name: 'x' }, { id: ID.toUpperCase() });
    expect(r).toEqual({ id: ID });
    expect(JSON.parse(s.calls[0]!.body!)).toEqual({ name: 'x', accountid: ID });
  });

  it('follows nextLink verbatim, resending the maxpagesize preference; refuses top with maxPageSize', async () => {
    const next = `${DV}/accounts?$select=name&$skiptoken=%3Ccookie%20pagenumber=%222%22%2F%3E`;
    const s = scripted(() => json(200, { value: [{ name: 'a' }], '@odata.nextLink': next }), () => json(200, { value: [{ name: 'b' }] }));
    const dv = dvClient(s.fetch);
    expect((await dv.retrieveAll('accounts', { select: ['name'], maxPageSize: 1 })).map((r) => r.name)).toEqual(['a', 'b']);
    expect(s.calls[1]!.url).toBe(next);
    expect(s.calls.map((c) => c.headers.Prefer)).toEqual(['odata.maxpagesize=1', 'odata.maxpagesize=1']);
    await expect(dv.retrieveAll('accounts', { top: 5, maxPageSize: 10 })).rejects.toThrow(/either top or maxPageSize/);
  });

  it('a repeated nextLink stops with PAGING_LOOP instead of spinning', async () => {
    const loop = `${DV}/accounts?$skiptoken=x`;
    const s = scripted(() => json(200, { value: [], '@odata.nextLink': loop }), () => json(200, { value: [], '@odata.nextLink': loop }));
    await expect(dvClient(s.fetch).retrieveAll('accounts')).rejects.toMatchObject({ code: 'PAGING_LOOP' });
  });

  it('auto mode falls back to $batch when the table has no bulk messages, and stays there', async () => {
    const unsupported = () => json(404, { error: { code: '0x8006088a', message: "Resource not found for the segment 'CreateMultiple'." } });
    const batchOk = (c: Call) => {
      const ids = [...c.body!.matchAll(/"contactid":"([^"]+)"/g)].map((m) => m[1]);
      const parts = ids.map((id, i) => `--cs\r\nContent-Type: application/http\r\nContent-ID: ${i + 1}\r\n\r\nHTTP/1.1 204 No Content\r\nOData-EntityId: ${DV}/contacts(${id})\r\n\r\n\r\n`).join('');
      return new Response(`--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n${parts}--cs--\r\n--b--\r\n`, { status: 200, headers: { 'Content-Type': 'multipart/mixed; boundary=b' } });
    };
    const s = scripted(unsupported, batchOk, batchOk);
    const rows = [1, 2, 3, 4].map((n) => ({ contactid: `00000000-0000-4000-8000-00000000000${n}`, lastname: `n${n}` }));
    const via: string[] = [];
    const ids = await dvClient(s.fetch).createMultiple('contacts', 'contact', rows, { chunkSize: 2, onChunk: (c) => via.push(c.via) });
    expect(ids).toEqual(rows.map((r) => r.contactid));
    expect(via).toEqual(['batch', 'batch']);
    expect(s.calls.map((c) => c.url)).toEqual([`${DV}/contacts/Microsoft.Dynamics.CRM.CreateMultiple`, `${DV}/$batch`, `${DV}/$batch`]);
    expect(s.calls[1]!.headers['Content-Type']).toMatch(/^multipart\/mixed; boundary=batch_/);
  });

  it('a real error from a bulk message is not mistaken for "unsupported"', async () => {
    const s = scripted(() => json(400, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } }));
    await expect(dvClient(s.fetch).createMultiple('accounts', 'account', [{ accountid: ID }])).rejects.toSatisfy(isAlreadyExists);
    expect(s.calls).toHaveLength(1);
  });

  it('an expired delta token becomes ChangeTrackingExpiredError', async () => {
    const s = scripted(() => json(400, { error: { code: '0x80044352', message: 'Version stamp associated with the client has expired. Please perform a full sync.' } }));
    await expect(dvClient(s.fetch).nextDelta(`${DV}/accounts?$select=name&$deltatoken=1!01/01/2020 00:00:00`)).rejects.toBeInstanceOf(ChangeTrackingExpiredError);
  });

  it('refuses a base URL that is not the Web API root', () => {
    expect(() => new DataverseClient({ http: new HttpClient({ baseUrl: 'https://org.crm4.dynamics.com/' }) })).toThrow(/api\/data\/v9\.2/);
  });
});

describe('rawTransport', () => {
  it('refreshes the token once after a 401 and honours Retry-After on 429', async () => {
    const tokens: boolean[] = [];
    const http = new HttpClient({ baseUrl: DV });
    const waits: number[] = [];
    const s = scripted(() => empty(401), () => empty(429, { 'Retry-After': '2' }), () => new Response('--b--', { status: 200, headers: { 'Content-Type': 'multipart/mixed; boundary=b' } }));
    const send = rawTransport({
      http, fetch: s.fetch, sleep: (ms) => { waits.push(ms); return Promise.resolve(); },
      auth: { authorization: ({ forceRefresh }) => { tokens.push(forceRefresh); return Promise.resolve(`Bearer t${tokens.length}`); } },
    });
    const r = await send({ method: 'POST', path: '$batch', headers: {}, body: 'x' });
    expect(r.status).toBe(200);
    expect(tokens).toEqual([false, true, true]);
    expect(waits).toEqual([2000]);
    expect(s.calls.map((c) => c.headers.Authorization)).toEqual(['Bearer t1', 'Bearer t2', 'Bearer t3']);
  });

  it('with maxRetries 0 surfaces THROTTLED with retryAfterMs so a limiter can pause', async () => {
    const s = scripted(() => json(429, { error: { code: '0x80072322', message: 'Number of requests exceeded the limit' } }, { 'Retry-After': '3' }));
    const send = rawTransport({ http: new HttpClient({ baseUrl: DV }), fetch: s.fetch, maxRetries: 0 });
    await expect(send({ method: 'POST', path: '$batch', headers: {}, body: '' })).rejects.toMatchObject({ status: 429, code: 'THROTTLED', details: { retryAfterMs: 3000 } });
  });
});

describe('BusinessCentralClient', () => {
  const ROOT = bcOnlineApiRoot('contoso.onmicrosoft.com', 'production');
  const CID = '10000000-0000-4000-8000-000000000001';

  it('builds online and on-premises roots', () => {
    expect(ROOT).toBe('https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/production/api/v2.0');
    expect(bcOnPremApiRoot('http://localhost:7048/', 'BC')).toBe('http://localhost:7048/BC/api/v2.0');
    expect(() => bcOnPremApiRoot('http://x', 'BC/../y')).toThrow(/instance/);
  });

  it('sends If-Match and the Isolation header; refuses PATCH/DELETE without If-Match', async () => {
    const s = scripted(() => json(200, { id: ID }), () => json(200, { responses: [{ id: '1', status: 204, headers: {} }] }));
    const bc = new BusinessCentralClient({ http: new HttpClient({ baseUrl: ROOT, fetch: s.fetch }) });
    await bc.update(CID, 'customers', ID, { displayName: 'x' }, { ifMatch: 'W/"JzE5Oyc="' });
    expect(s.calls[0]).toMatchObject({ method: 'PATCH', url: `${ROOT}/companies(${CID})/customers(${ID})`, headers: { 'If-Match': 'W/"JzE5Oyc="' } });
    await expect(bc.delete(CID, 'customers', ID, { ifMatch: undefined as unknown as string })).rejects.toThrow(/If-Match/);
    const r = await bc.batch([{ method: 'DELETE', url: bc.entityUrl(CID, 'customers', ID), headers: { 'If-Match': '*' } }], { isolation: 'snapshot' });
    expect(r).toEqual([{ id: '1', status: 204, headers: {} }]);
    expect(s.calls[1]!.headers.Isolation).toBe('snapshot');
    expect(JSON.parse(s.calls[1]!.body!)).toEqual({ requests: [{ id: '1', method: 'DELETE', url: `companies(${CID})/customers(${ID})`, headers: { 'If-Match': '*' } }] });
  });

  it('listModifiedSince filters on lastModifiedDateTime (unquoted literal) ordered ascending', async () => {
    const s = scripted(() => json(200, { value: [] }));
    const bc = new BusinessCentralClient({ http: new HttpClient({ baseUrl: ROOT, fetch: s.fetch }) });
    for await (const _ of bc.listModifiedSince(CID, 'items', new Date('2024-05-01T10:00:00Z'), { readOnly: true })) void _;
    const u = new URL(s.calls[0]!.url);
    expect(s.calls[0]!.headers['Data-Access-Intent']).toBe('ReadOnly');
    expect(u.searchParams.get('$filter')).toBe('lastModifiedDateTime gt 2024-05-01T10:00:00.000Z');
    expect(u.searchParams.get('$orderby')).toBe('lastModifiedDateTime asc');
  });

  it('Basic auth: refuses plain http to a non-loopback host, encodes user:key', async () => {
    expect(() => basicAuthProvider('http://bc.contoso.com:7048', { username: 'u', webServiceAccessKey: 'k' })).toThrow(/plain http/);
    expect(() => basicAuthProvider('https://bc.contoso.com', { username: 'u', webServiceAccessKey: '' })).toThrow(/Web Service Access Key/);
    const p = basicAuthProvider('http://127.0.0.1:7048', { username: 'NORDLYS\\bc', webServiceAccessKey: 'k:ey' });
    const h = await p.authorization({ forceRefresh: false });
    expect(Buffer.from(h.replace('Basic ', ''), 'base64').toString()).toBe('NORDLYS\\bc:k:ey');
  });

  it('refuses an API root that is not an API root', () => {
    expect(() => new BusinessCentralClient({ http: new HttpClient({ baseUrl: 'https://api.businesscentral.dynamics.com/v2.0/t/production' }) })).toThrow(/must end in \/api\/v2\.0/);
  });
});

describe('error predicates', () => {
  it('tell conflicts from duplicates', () => {
    expect(isConcurrencyConflict(new ServiceError(412, '0x80060882', 'The version of the existing record doesn\'t match'))).toBe(true);
    expect(isConcurrencyConflict(new ServiceError(409, 'Request_EntityChanged', 'Another user has already changed the record.'))).toBe(true);
    expect(isConcurrencyConflict(new ServiceError(412, '0x80040237', 'A record with matching key values already exists.'))).toBe(false);
    expect(isAlreadyExists(new ServiceError(412, '', 'A record with matching key values already exists.'))).toBe(true);
    expect(isConcurrencyConflict(new Error('x'))).toBe(false);
  });
});
