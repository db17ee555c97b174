export { HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions, type TokenProvider, type FetchLike } from './client';
export { ServiceError, isServiceError } from './errors';
export { odataEq, odataGuid, odataLiteral, odataString } from './odata';
export { insecureUrlReason, isLoopbackHost } from './url';
