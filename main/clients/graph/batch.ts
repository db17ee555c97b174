/**
 * Graph JSON `$batch` (https://learn.microsoft.com/graph/json-batching):
 *  - at most 20 requests per POST /$batch; ids unique; a request with a body must carry Content-Type;
 *  - `dependsOn` runs a request after others; a failed dependency answers 424 FailedDependency;
 *  - the outer answer is 200 whatever the items did, so every item's status is surfaced on its own;
 *  - an item answered 429 (each inner request is throttled separately) is resent after its Retry-After, together
 *    with the items that got 424 only because of it.
 *
 * More than 20 requests are sent in consecutive chunks of 20. A request that depends on one in an earlier chunk is
 * sent without that dependsOn when the dependency succeeded, and answered 424 locally (never sent) when it failed.
 */
import type { GraphError } from './errors';
import { batchItemError } from './errors';

export const GRAPH_BATCH_MAX = 20;

export interface GraphBatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the version root, e.g. `/users/{id}?$select=id` (a leading slash is fine). */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export interface GraphBatchResult<T = unknown> {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: T | null;
  ok: boolean;
  /** Set when the item failed (status ≥ 400): the same typed error a direct call would have thrown. */
  error?: GraphError;
  /** How many times the item was sent (> 1 after inner 429s). */
  attempts: number;
}

export interface BatchWire {
  /** POST /$batch with the given JSON; returns the parsed `{responses}`. */
  send(body: { requests: unknown[] }): Promise<{ responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }>;
  sleep(ms: number): Promise<void>;
  maxRetries: number;
  /** Used when an inner 429 has no Retry-After. */
  defaultRetryMs: number;
}

export function validateBatch(requests: readonly GraphBatchRequest[]): void {
  const ids = new Set<string>();
  for (const r of requests) {
    if (!r.id) throw new Error('Every $batch request needs an id.');
    if (ids.has(r.id)) throw new Error(`The $batch request id "${r.id}" is used twice; ids must be unique.`);
    ids.add(r.id);
  }
  for (const r of requests) for (const d of r.dependsOn ?? []) if (!ids.has(d)) throw new Error(`$batch request "${r.id}" depends on "${d}", which is not in the batch.`);
}

function wireRequest(r: GraphBatchRequest, dependsOn: string[]): Record<string, unknown> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return {
    id: r.id,
    method: r.method,
    url: r.url.startsWith('/') ? r.url : `/${r.url}`,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(r.body !== undefined ? { body: r.body } : {}),
    ...(dependsOn.length ? { dependsOn } : {}),
  };
}

function retryAfterMs(headers: Record<string, string>, fallback: number): number {
  const v = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (v && /^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = v ? Date.parse(v) : NaN;
  return Number.isNaN(at) ? fallback : Math.max(0, at - Date.now());
}

const lower = (h: Record<string, string> | undefined) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));

export async function runBatch(wire: BatchWire, requests: readonly GraphBatchRequest[]): Promise<GraphBatchResult[]> {
  validateBatch(requests);
  const results = new Map<string, GraphBatchResult>();
  const attempts = new Map<string, number>();
  const byId = new Map(requests.map((r) => [r.id, r]));
  const localFailure = (r: GraphBatchRequest, dep: string): GraphBatchResult => {
    const body = { error: { code: 'FailedDependency', message: `Not sent: the request it depends on ("${dep}") failed.` } };
    return { id: r.id, status: 424, headers: {}, body, ok: false, error: batchItemError(424, body, {}, r.url, r.method), attempts: 0 };
  };

  for (let start = 0; start < requests.length; start += GRAPH_BATCH_MAX) {
    let pending = requests.slice(start, start + GRAPH_BATCH_MAX);
    for (let round = 0; pending.length > 0; round++) {
      const inChunk = new Set(pending.map((r) => r.id));
      const toSend: Record<string, unknown>[] = [];
      const sent: GraphBatchRequest[] = [];
      for (const r of pending) {
        const deps = r.dependsOn ?? [];
        const failedEarlier = deps.find((d) => !inChunk.has(d) && results.has(d) && !results.get(d)!.ok);
        if (failedEarlier) {
          results.set(r.id, localFailure(r, failedEarlier));
          continue;
        }
        attempts.set(r.id, (attempts.get(r.id) ?? 0) + 1);
        toSend.push(wireRequest(r, deps.filter((d) => inChunk.has(d))));
        sent.push(r);
      }
      // A request whose same-chunk dependency was answered locally above must not be sent with a dangling dependsOn.
      for (let i = sent.length - 1; i >= 0; i--) {
        const r = sent[i]!;
        const deadDep = (r.dependsOn ?? []).find((d) => results.has(d) && !results.get(d)!.ok && inChunk.has(d));
        if (deadDep) {
          sent.splice(i, 1);
          toSend.splice(i, 1);
          results.set(r.id, localFailure(r, deadDep));
        }
      }
      if (sent.length === 0) break;
      let answer: Awaited<ReturnType<BatchWire['send']>>;
      try {
        answer = await wire.send({ requests: toSend });
      } catch (x) {
        // Nothing known yet: the caller sees the POST's own error. Once earlier POSTs of this call have answered, a
        // later one failing must not throw their results away — a create answered 201 there exists, and a caller
        // that saw only the throw would send it again. The items of the failed POST (and any not sent yet) fail
        // with its error; whether they ran is unknown unless it says so (429: not run).
        if (results.size === 0) throw x;
        return finishAfter(x, requests, results, attempts);
      }
      const got = new Map((answer.responses ?? []).map((x) => [String(x.id), x]));
      const throttled: GraphBatchRequest[] = [];
      let wait = 0;
      for (const r of sent) {
        const x = got.get(r.id);
        const headers = lower(x?.headers);
        const status = x ? Number(x.status) : 500;
        const body = (x?.body ?? null) as unknown;
        const ok = status < 400;
        const result: GraphBatchResult = {
          id: r.id, status, headers, body, ok, attempts: attempts.get(r.id) ?? 1,
          ...(ok ? {} : { error: batchItemError(status, x ? body : { error: { code: 'MissingResponse', message: 'The $batch answer has no response for this request.' } }, headers, r.url, r.method) }),
        };
        results.set(r.id, result);
        if (status === 429 && round < wire.maxRetries) {
          throttled.push(r);
          wait = Math.max(wait, retryAfterMs(headers, wire.defaultRetryMs));
        }
      }
      if (throttled.length === 0) break;
      // Resend the throttled items and everything in this chunk that failed (424) only because of them.
      const again = new Set(throttled.map((r) => r.id));
      let grew = true;
      while (grew) {
        grew = false;
        for (const r of sent) {
          if (again.has(r.id) || results.get(r.id)?.status !== 424) continue;
          if ((r.dependsOn ?? []).some((d) => again.has(d))) {
            again.add(r.id);
            grew = true;
          }
        }
      }
      for (const id of again) results.delete(id);
      await wire.sleep(wait);
      pending = sent.filter((r) => again.has(r.id));
    }
  }
  return requests.map((r) => results.get(r.id) ?? localFailure(r, byId.get(r.id)?.dependsOn?.[0] ?? '?'));
}

/** The results so far, and every request without one failed with the error of the POST that did not answer. */
function finishAfter(x: unknown, requests: readonly GraphBatchRequest[], results: Map<string, GraphBatchResult>, attempts: Map<string, number>): GraphBatchResult[] {
  const e = x as { status?: number | null; code?: string; message?: string; details?: { retryAfterMs?: number } };
  const status = typeof e.status === 'number' ? e.status : 0;
  const headers: Record<string, string> = e.details?.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(e.details.retryAfterMs / 1000)) } : {};
  const body = { error: { code: e.code ?? 'BatchRequestFailed', message: e.message ?? String(x) } };
  return requests.map((r) => results.get(r.id) ?? {
    id: r.id, status, headers, body, ok: false, attempts: attempts.get(r.id) ?? 0, error: batchItemError(status, body, headers, r.url, r.method),
  });
}
