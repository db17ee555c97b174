export * from './dataverse';
export * from './bc';
export { AdaptiveLimiter, BC_MAX_CONCURRENCY, DATAVERSE_MAX_CONCURRENCY, defaultThrottleClassifier, realTimers } from './concurrency';
export type { AdaptiveLimiterOptions, LimiterStats, LimiterTimers, ThrottleSignal } from './concurrency';
export { ChangeTrackingExpiredError, isAlreadyExists, isConcurrencyConflict, isNotFound } from './errors';
export { chunk, filter, Filter, idFromEntityUrl, keyPath, queryString } from './odata';
export type { ODataScalar, QueryOptions } from './odata';
export { rawTransport } from './raw';
export type { RawRequest, RawResponse, RawSend, RawTransportOptions } from './raw';
