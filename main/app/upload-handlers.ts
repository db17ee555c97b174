import type { uploadMethods } from '../../preload/contract/core/uploads';
import type { HandlersOf } from '../rpc/handlers';
import { uploads, type UploadStore } from '../rpc/uploads';

/** uploads.*: chunked uploads into the process's upload store, taken later by mappings.importFile, connections.import, … */
export function createUploadHandlers(store: UploadStore = uploads): HandlersOf<typeof uploadMethods> {
  return {
    'uploads.begin': async ({ fileName, size }) => store.begin(fileName, size),
    'uploads.chunk': async ({ uploadId, index, base64 }) => store.chunk(uploadId, index, base64),
  };
}
