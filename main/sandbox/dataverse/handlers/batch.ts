/** $batch: change sets run atomically (the engine is synchronous), Content-ID references, continue-on-error. */
import { randomUUID } from 'node:crypto';
import { CODES, DvError, badRequest } from '../errors';
import type { Caller } from '../security';
import type { InnerResponse, BatchOutItem } from '../batch';
import { boundaryOf, formatBatch, parseBatch } from '../batch';
import type { DvRequest, DvResponse, BatchCtx, DvContext } from './shared';

export class RollbackSignal extends Error {}

export function batchResponse(status: number, items: BatchOutItem[]): DvResponse {
  const { boundary, body } = formatBatch(items);
  return { status, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'OData-Version': '4.0' }, body };
}

export function batch(core: DvContext, req: DvRequest, caller: Caller): DvResponse {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) throw badRequest('A $batch request needs Content-Type: multipart/mixed; boundary=<boundary>.');
  const items = parseBatch(req.body, boundary);
  const total = items.reduce((n, it) => n + (it.kind === 'request' ? 1 : it.requests.length), 0);
  if (total > 1000) throw new DvError(400, CODES.batchTooLarge, `The number of requests in the batch (${total}) exceeds the maximum of 1000.`);
  const continueOnError = /odata\.continue-on-error/i.test(req.headers['prefer'] ?? '');
  const bctx: BatchCtx = { contentIds: new Map() };
  const out: BatchOutItem[] = [];
  let ran = 0;
  const inherit = (h: Record<string, string>): Record<string, string> => ({ ...h, authorization: req.headers['authorization'] ?? '' });
  for (const it of items) {
    if (it.kind === 'request') {
      const res = core.handle({ method: it.req.method, url: it.req.url, headers: inherit(it.req.headers), body: it.req.body }, caller, bctx);
      ran++;
      if (res.status >= 400) {
        res.headers.REQ_ID = randomUUID();
        if (!continueOnError) return { ...batchResponse(400, [{ kind: 'response', res }]), innerCount: ran };
      }
      out.push({ kind: 'response', res });
      continue;
    }
    const responses: { res: InnerResponse; contentId?: string }[] = [];
    let failed: DvResponse | undefined;
    const savedIds = new Map(bctx.contentIds);
    try {
      core.store.transaction(() => {
        for (const r of it.requests) {
          const res = core.handle({ method: r.method, url: r.url, headers: inherit(r.headers), body: r.body }, caller, bctx);
          ran++;
          if (res.status >= 400) { res.headers.REQ_ID = randomUUID(); failed = res; throw new RollbackSignal(); }
          if (r.contentId !== undefined && res.entityPath) bctx.contentIds.set(r.contentId, res.entityPath);
          responses.push({ res, contentId: r.contentId });
        }
      });
    } catch (err) {
      if (!(err instanceof RollbackSignal)) throw err;
    }
    if (failed) {
      bctx.contentIds = savedIds;
      if (!continueOnError) return { ...batchResponse(400, [{ kind: 'response', res: failed }]), innerCount: ran };
      out.push({ kind: 'response', res: failed });
      continue;
    }
    out.push({ kind: 'changeset', responses });
  }
  return { ...batchResponse(200, out), innerCount: ran };
}
