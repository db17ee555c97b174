import { randomUUID } from 'node:crypto';
import { UPLOAD_CHUNK_CHARS, UPLOAD_MAX_BYTES } from '../../preload/contract';
import { AppFailure } from './errors';

/**
 * Chunked uploads (uploads.begin / uploads.chunk), kept in memory until a method takes them (mappings.importFile,
 * mappings.diff, connections.import with `uploadId`). Bounded: each upload ≤ UPLOAD_MAX_BYTES, at most
 * MAX_OPEN at once (the oldest is dropped), unfinished ones expire after EXPIRY_MS.
 */
const MAX_OPEN = 4;
const EXPIRY_MS = 10 * 60_000;
const MiB = 1024 * 1024;

interface Upload {
  fileName: string;
  size: number;
  parts: Buffer[];
  received: number;
  expires: number;
}

export class UploadStore {
  private uploads = new Map<string, Upload>();
  constructor(private now: () => number = Date.now) {}

  begin(fileName: string, size: number): { uploadId: string; chunkChars: number } {
    if (size > UPLOAD_MAX_BYTES) {
      throw new AppFailure('UPLOAD_TOO_LARGE', `The file is larger than ${UPLOAD_MAX_BYTES / MiB} MB and cannot be uploaded. Nothing was imported.`, {
        limit: UPLOAD_MAX_BYTES / MiB,
        size: Math.round((size / MiB) * 10) / 10,
      });
    }
    this.sweep();
    while (this.uploads.size >= MAX_OPEN) this.uploads.delete(this.uploads.keys().next().value!);
    const uploadId = randomUUID();
    this.uploads.set(uploadId, { fileName, size, parts: [], received: 0, expires: this.now() + EXPIRY_MS });
    return { uploadId, chunkChars: UPLOAD_CHUNK_CHARS };
  }

  chunk(uploadId: string, index: number, base64: string): { received: number } {
    const u = this.open(uploadId);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new AppFailure('UPLOAD_NOT_FOUND', 'The upload was damaged on the way (a chunk is not base64). Choose the file again.');
    if (index !== u.parts.length) {
      this.uploads.delete(uploadId);
      throw new AppFailure('UPLOAD_NOT_FOUND', `The upload was interrupted (chunk ${index} arrived, ${u.parts.length} was expected). Choose the file again.`);
    }
    const data = Buffer.from(base64, 'base64');
    if (u.received + data.length > u.size) {
      this.uploads.delete(uploadId);
      throw new AppFailure('UPLOAD_TOO_LARGE', `The upload is larger than announced (${u.size} bytes). Nothing was imported.`, { limit: UPLOAD_MAX_BYTES / MiB });
    }
    u.parts.push(data);
    u.received += data.length;
    u.expires = this.now() + EXPIRY_MS;
    return { received: u.received };
  }

  /** The finished upload's bytes; it is forgotten afterwards. */
  take(uploadId: string): { fileName: string; data: Buffer } {
    const u = this.open(uploadId);
    this.uploads.delete(uploadId);
    if (u.received !== u.size) {
      throw new AppFailure('UPLOAD_NOT_FOUND', `The upload is incomplete (${u.received} of ${u.size} bytes arrived). Choose the file again.`);
    }
    return { fileName: u.fileName, data: Buffer.concat(u.parts) };
  }

  private open(uploadId: string): Upload {
    this.sweep();
    const u = this.uploads.get(uploadId);
    if (!u) throw new AppFailure('UPLOAD_NOT_FOUND', 'The file upload was interrupted or has expired. Choose the file again.');
    return u;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, u] of this.uploads) if (u.expires < t) this.uploads.delete(id);
  }
}

/** The console's one upload store (one per process: a browser host and the Electron shell never share a process). */
export const uploads = new UploadStore();

/** Inline base64 or a finished upload: exactly one. */
export function fileBytes(src: { base64?: string | undefined; uploadId?: string | undefined }, decode: (base64: string) => Buffer): Buffer {
  if ((src.base64 === undefined) === (src.uploadId === undefined)) {
    throw new AppFailure('BAD_REQUEST', 'Send the file either inline (base64) or as an upload (uploadId), not both or neither.');
  }
  return src.uploadId !== undefined ? uploads.take(src.uploadId).data : decode(src.base64!);
}
