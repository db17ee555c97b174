export { DataverseClient, primaryKeyOf } from './client';
export type {
  AttributeDefinition, BulkOptions, DataverseClientOptions, DeltaResult, EntityDefinition, Page, RetrieveMultipleOptions, RetrieveOptions,
  RetrieveResult, Row, UpsertResult,
} from './client';
export { buildBatch, parseBatchResponse, boundaryFromContentType } from './batch';
export type { BatchItem, BatchOperation, BatchPartResponse, BuiltBatch } from './batch';
