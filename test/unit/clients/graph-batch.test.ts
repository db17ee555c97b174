/**
 * runBatch (main/clients/graph/batch.ts): when the resend of throttled items fails as a whole, the items already
 * answered keep their answers — a create answered 201 in the first POST must not be reported as failed (its caller
 * would send it again: the duplicate Planner tasks bench:tasks-crash found).
 */
import { describe, expect, it } from 'vitest';
import { runBatch, type BatchWire, type GraphBatchRequest } from '../../../main/clients/graph/batch';

const reqs: GraphBatchRequest[] = [0, 1, 2].map((i) => ({ id: String(i), method: 'POST', url: '/planner/tasks', body: { title: `t${i}` } }));

function wire(answers: ((body: { requests: { id: string }[] }) => { responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] })[]): BatchWire & { posts: string[][] } {
  const posts: string[][] = [];
  return {
    posts,
    maxRetries: 4,
    defaultRetryMs: 1,
    sleep: async () => undefined,
    send: async (body) => {
      posts.push((body.requests as { id: string }[]).map((r) => r.id));
      const a = answers.shift();
      if (!a) throw Object.assign(new Error('POST https://graph/$batch failed: 429 TooManyRequests'), { status: 429, code: 'TooManyRequests', details: { retryAfterMs: 2000 } });
      return a(body as { requests: { id: string }[] });
    },
  };
}

describe('Graph $batch with a failed resend', () => {
  it('keeps the items answered before, fails only the resent ones with the POST\'s error (429: safe to send again)', async () => {
    const w = wire([() => ({ responses: [
      { id: '0', status: 201, body: { id: 'task-0' } },
      { id: '1', status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } },
      { id: '2', status: 201, body: { id: 'task-2' } },
    ] })]);
    const res = await runBatch(w, reqs);
    expect(w.posts).toEqual([['0', '1', '2'], ['1']]);
    expect(res.map((r) => [r.id, r.status, r.ok])).toEqual([['0', 201, true], ['1', 429, false], ['2', 201, true]]);
    expect(res[1]!.error?.message).toContain('429');
    expect((res[0]!.body as { id: string }).id).toBe('task-0');
  });

  it('still throws when the first POST fails (nothing is known about any item)', async () => {
    await expect(runBatch(wire([]), reqs)).rejects.toMatchObject({ status: 429 });
  });
});
