export { BusinessCentralClient, bcOnlineApiRoot, bcOnPremApiRoot, BC_MAX_BATCH, BC_MAX_PAGE_SIZE } from './client';
export type { BcApi, BcBatchOperation, BcBatchResponse, BcCompany, BcExtensionInfo, BcListOptions, BcRow, BcVersionInfo } from './client';
export { basicAuthProvider } from './basic-auth';
export type { BasicCredentials } from './basic-auth';
