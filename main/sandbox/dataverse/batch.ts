/**
 * OData v4 multipart/mixed $batch framing: parse requests (with nested change sets) and format responses.
 * Clients differ in line endings (CRLF per spec, bare LF from some libraries), so both are accepted.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from './errors';

export interface InnerRequest { method: string; url: string; headers: Record<string, string>; body: string; contentId?: string }
export type BatchItem = { kind: 'request'; req: InnerRequest } | { kind: 'changeset'; requests: InnerRequest[] };
export interface InnerResponse { status: number; headers: Record<string, string>; body?: string }

export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/mixed/i.test(contentType)) return null;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function splitParts(body: string, boundary: string): string[] {
  const delim = `--${boundary}`;
  const chunks = body.split(delim);
  const parts: string[] = [];
  // chunks[0] is the preamble; a chunk starting with "--" is the epilogue after the close delimiter.
  for (let i = 1; i < chunks.length; i++) {
    const c = chunks[i];
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

function headersOf(lines: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return h;
}

function parseHttpPart(part: string): InnerRequest {
  const outer = splitHead(part);
  const partHeaders = headersOf(outer.head);
  const inner = splitHead(outer.body);
  const [requestLine, ...headerLines] = inner.head;
  // Lenient about unencoded spaces in the URL: some clients put raw $filter text into batch parts.
  const m = /^([A-Z]+)\s+(.+?)(?:\s+HTTP\/1\.[01])?$/.exec((requestLine ?? '').trim());
  if (!m) throw badRequest(`The batch part does not start with a valid HTTP request line: '${(requestLine ?? '').slice(0, 80)}'.`);
  const headers = headersOf(headerLines);
  const contentId = partHeaders['content-id'] ?? headers['content-id'];
  return { method: m[1], url: m[2], headers, body: inner.body.replace(/\r?\n$/, ''), contentId };
}

export function parseBatch(body: string, boundary: string): BatchItem[] {
  const items: BatchItem[] = [];
  for (const part of splitParts(body, boundary)) {
    const { head, body: partBody } = splitHead(part);
    const h = headersOf(head);
    const inner = boundaryOf(h['content-type']);
    if (inner) {
      const requests = splitParts(partBody, inner).map(parseHttpPart);
      for (const r of requests) {
        if (r.method === 'GET') throw badRequest('GET requests are not allowed inside a change set. Move them outside the change set.');
      }
      items.push({ kind: 'changeset', requests });
    } else {
      items.push({ kind: 'request', req: parseHttpPart(part) });
    }
  }
  return items;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
export const reason = (s: number) => REASONS[s] ?? 'Unknown';

function formatInner(r: InnerResponse, contentId?: string): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${r.status} ${reason(r.status)}`);
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
  lines.push('');
  return `${lines.join('\r\n')}\r\n${r.body ?? ''}`;
}

export type BatchOutItem = { kind: 'response'; res: InnerResponse } | { kind: 'changeset'; responses: { res: InnerResponse; contentId?: string }[] };

export function formatBatch(items: BatchOutItem[]): { boundary: string; body: string } {
  const boundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  for (const it of items) {
    out.push(`--${boundary}\r\n`);
    if (it.kind === 'response') {
      out.push(formatInner(it.res), '\r\n');
    } else {
      const cs = `changesetresponse_${randomUUID()}`;
      out.push(`Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n`);
      for (const r of it.responses) out.push(`--${cs}\r\n`, formatInner(r.res, r.contentId), '\r\n');
      out.push(`--${cs}--\r\n`);
    }
  }
  out.push(`--${boundary}--\r\n`);
  return { boundary, body: out.join('') };
}
