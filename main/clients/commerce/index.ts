export { CommerceClient, keySegment } from './client';
export type { CommerceBatchResult, CommerceClientOptions, CommerceReadOptions, CommerceRow, DataEntityInfo } from './client';
export { CommerceError, commerceErrorInfo, isCommerceError, toCommerceError } from './errors';
