/**
 * Dataverse `$batch` (OData v4 multipart/mixed): request builder and response parser.
 *
 * - Every part is `application/http` with `Content-Transfer-Encoding: binary`; lines end in CRLF (the spec; the
 *   service tolerates LF but we do not rely on that).
 * - Change sets are nested multipart bodies and run as one transaction. Requests inside a change set carry a
 *   Content-ID so later requests can reference `$1` (e.g. create an account, then a contact bound to `$1`).
 * - Boundaries are random UUIDs; a boundary that occurs inside a body would corrupt the framing, so the builder
 *   checks for that and refuses instead of sending something the server would misread.
 */
import { randomUUID } from 'node:crypto';

export interface BatchOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the API base (`accounts(…)`), absolute, or a Content-ID reference (`$1/contact_customer_accounts/$ref`). */
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialised unless already a string. */
  body?: unknown;
  /** Only inside change sets; defaults to a running number unique in the batch (1, 2, 3 …). */
  contentId?: string;
}

export type BatchItem = BatchOperation | { changeSet: BatchOperation[] };

export interface BuiltBatch {
  contentType: string;
  body: string;
  boundary: string;
}

export interface BatchPartResponse {
  status: number;
  statusText: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the part says JSON, else the text, null when empty. */
  body: unknown;
  contentId?: string;
  /** Index (0-based, among the top-level items of the response) of the change set this part belongs to. */
  changeSet?: number;
}

const CRLF = '\r\n';

export function isChangeSet(item: BatchItem): item is { changeSet: BatchOperation[] } {
  return 'changeSet' in item;
}

/**
 * @param apiBase e.g. `https://org.crm.dynamics.com/api/data/v9.2` — relative part URLs are made absolute against
 *   it (Dataverse accepts both; absolute avoids any doubt about what "relative" means inside a batch).
 */
export function buildBatch(items: readonly BatchItem[], apiBase: string, opts: { boundary?: string } = {}): BuiltBatch {
  const boundary = opts.boundary ?? `batch_${randomUUID()}`;
  const base = apiBase.replace(/\/+$/, '');
  const out: string[] = [];
  const bodies: string[] = [];
  const seenIds = new Set<string>();
  // Content-IDs must be unique across the whole batch, not just within one change set.
  let nextId = 1;
  for (const item of items) {
    out.push(`--${boundary}${CRLF}`);
    if (isChangeSet(item)) {
      if (item.changeSet.length === 0) throw new Error('A change set needs at least one request.');
      const cs = `changeset_${randomUUID()}`;
      out.push(`Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}`);
      item.changeSet.forEach((op) => {
        if (op.method === 'GET') throw new Error('GET requests cannot be inside a change set; put them outside it.');
        const contentId = op.contentId ?? String(nextId++);
        if (seenIds.has(contentId)) throw new Error(`Content-ID ${contentId} is used twice in one batch; Content-IDs must be unique.`);
        seenIds.add(contentId);
        out.push(`--${cs}${CRLF}`, part(op, base, bodies, contentId), CRLF);
      });
      out.push(`--${cs}--${CRLF}`);
      for (const b of bodies) if (b.includes(`--${cs}`)) throw new Error('A request body contains the change set boundary; retry (boundaries are random).');
    } else {
      out.push(part(item, base, bodies), CRLF);
    }
  }
  out.push(`--${boundary}--${CRLF}`);
  for (const b of bodies) if (b.includes(`--${boundary}`)) throw new Error('A request body contains the batch boundary; pass a different boundary.');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: out.join(''), boundary };
}

function part(op: BatchOperation, base: string, bodies: string[], contentId?: string): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push('');
  const url = /^https?:\/\//i.test(op.url) || op.url.startsWith('$') ? op.url : `${base}/${op.url.replace(/^\//, '')}`;
  lines.push(`${op.method} ${url} HTTP/1.1`);
  const headers: Record<string, string> = { ...op.headers };
  let body = '';
  if (op.body !== undefined) {
    body = typeof op.body === 'string' ? op.body : JSON.stringify(op.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json; type=entry';
    bodies.push(body);
  }
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`Batch header ${k.slice(0, 40)} contains a line break.`);
    lines.push(`${k}: ${v}`);
  }
  lines.push('');
  return lines.join(CRLF) + CRLF + body;
}

export function boundaryFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType || !/^multipart\/mixed/i.test(contentType.trim())) return null;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function splitParts(body: string, boundary: string): string[] {
  const chunks = body.split(`--${boundary}`);
  const parts: string[] = [];
  // chunks[0] is the preamble; a chunk starting with "--" follows the close delimiter.
  for (let i = 1; i < chunks.length; i++) {
    const c = chunks[i]!;
    if (c.startsWith('--')) break;
    parts.push(c.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

function splitHead(text: string): { head: string[]; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text.split(/\r?\n/).filter((l) => l.length > 0), body: '' };
  return { head: text.slice(0, m.index).split(/\r?\n/), body: text.slice(m.index + m[0].length) };
}

function headerMap(lines: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return h;
}

function parseHttpResponse(partText: string, changeSet?: number): BatchPartResponse {
  const outer = splitHead(partText);
  const partHeaders = headerMap(outer.head);
  const inner = splitHead(outer.body);
  const [statusLine = '', ...headerLines] = inner.head;
  const m = /^HTTP\/1\.[01]\s+(\d{3})\s*(.*)$/.exec(statusLine.trim());
  if (!m) throw new Error(`A $batch response part has no HTTP status line (got "${statusLine.slice(0, 60)}").`);
  const headers = headerMap(headerLines);
  const text = inner.body.replace(/\r?\n$/, '');
  let body: unknown = text === '' ? null : text;
  if (text && /json/i.test(headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      // leave the text: a truncated part should still be inspectable
    }
  }
  const contentId = partHeaders['content-id'] ?? headers['content-id'];
  return {
    status: Number(m[1]), statusText: m[2] ?? '', headers, body,
    ...(contentId !== undefined ? { contentId } : {}),
    ...(changeSet !== undefined ? { changeSet } : {}),
  };
}

/** Flattened per-part responses, in order. Change set members carry `changeSet` (index of the top-level item). */
export function parseBatchResponse(contentType: string | null | undefined, text: string): BatchPartResponse[] {
  const boundary = boundaryFromContentType(contentType);
  if (!boundary) throw new Error(`The $batch response is not multipart/mixed (Content-Type: ${String(contentType).slice(0, 80)}).`);
  const out: BatchPartResponse[] = [];
  splitParts(text, boundary).forEach((p, index) => {
    const { head, body } = splitHead(p);
    const inner = boundaryFromContentType(headerMap(head)['content-type']);
    if (inner) for (const cp of splitParts(body, inner)) out.push(parseHttpResponse(cp, index));
    else out.push(parseHttpResponse(p));
  });
  return out;
}
