import { z } from 'zod';
import { method } from './rpc';

/**
 * Large files (a mapping export of a big tenant, a connections export) travel in chunks well below the transport's
 * message limit (4 MiB over the browser host's WebSocket), then a method takes the upload by its id instead of
 * inline base64. Small files still go inline.
 */
export const UPLOAD_MAX_BYTES = 16 * 1024 * 1024;
/** base64 characters per chunk (768 KiB of file): a chunk message stays far below the 4 MiB message limit. */
export const UPLOAD_CHUNK_CHARS = 1024 * 1024;
/** Files up to this size are sent inline as base64 (2.7 M characters, below the 4 M-character field limits). */
export const INLINE_FILE_MAX_BYTES = 2 * 1024 * 1024;

export const UploadIdSchema = z.string().uuid();

export const uploadMethods = {
  'uploads.begin': method(
    z.object({ fileName: z.string().min(1).max(260), size: z.number().int().min(0) }).strict(),
    z.object({ uploadId: UploadIdSchema, chunkChars: z.number().int() }),
    'Start a chunked upload of a file (refused over UPLOAD_MAX_BYTES with the limit).'),
  'uploads.chunk': method(
    z.object({ uploadId: UploadIdSchema, index: z.number().int().min(0), base64: z.string().min(1).max(UPLOAD_CHUNK_CHARS) }).strict(),
    z.object({ received: z.number().int() }),
    'Add the next chunk (in order) of an upload; the upload is then taken by a method that accepts uploadId.'),
};
