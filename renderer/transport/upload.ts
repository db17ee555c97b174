import { INLINE_FILE_MAX_BYTES, UPLOAD_MAX_BYTES } from '../../preload/contract';
import { fileToBase64 } from '../pages/sales/mappings/logic';
import { call, RpcError } from './client';

const MiB = 1024 * 1024;
const mb = (n: number) => Math.round((n / MiB) * 10) / 10;

/**
 * Checked in the renderer BEFORE anything is read or sent: a file over the limit gets a clear, translated message
 * with the limit (FILE_TOO_LARGE) instead of a message the transport cannot carry.
 */
export function checkFileSize(file: { name: string; size: number }, limit: number = UPLOAD_MAX_BYTES): void {
  if (file.size > limit) {
    throw new RpcError({
      code: 'FILE_TOO_LARGE',
      message: `The file "${file.name}" is ${mb(file.size)} MB; the largest file that can be imported here is ${mb(limit)} MB.`,
      params: { name: file.name, size: mb(file.size), limit: mb(limit) },
    });
  }
}

/**
 * How a chosen file travels to main: inline base64 when small, otherwise in chunks (uploads.begin / uploads.chunk),
 * each far below the transport's message limit, and the method then takes `uploadId`.
 */
export async function fileSource(file: Blob & { name: string }, limit: number = UPLOAD_MAX_BYTES): Promise<{ base64: string } | { uploadId: string }> {
  checkFileSize(file, limit);
  if (file.size <= INLINE_FILE_MAX_BYTES) return { base64: await fileToBase64(file) };
  const { uploadId, chunkChars } = await call('uploads.begin', { fileName: file.name || 'file', size: file.size });
  const chunkBytes = (chunkChars / 4) * 3;
  for (let index = 0, offset = 0; offset < file.size; index++, offset += chunkBytes) {
    await call('uploads.chunk', { uploadId, index, base64: await fileToBase64(file.slice(offset, offset + chunkBytes)) });
  }
  return { uploadId };
}

/** The same for text the page already holds (a connections export): inline when its UTF-8 is small, else chunked. */
export async function textSource(name: string, text: string): Promise<{ json: string } | { uploadId: string }> {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= INLINE_FILE_MAX_BYTES) return { json: text };
  const blob = Object.assign(new Blob([bytes]), { name });
  const src = await fileSource(blob);
  return 'uploadId' in src ? src : { json: text };
}
