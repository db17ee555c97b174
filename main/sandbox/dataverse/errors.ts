/**
 * Dataverse-shaped errors: `{"error":{"code":"0x…","message":"…"}}` with the HTTP status the real service uses.
 * Codes marked [unverified] in protocols.md are kept in one place so they are easy to correct.
 */
export class DvError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const CODES = {
  objectDoesNotExist: '0x80040217',
  keyNotFound: '0x80060891',
  duplicateRecord: '0x80040237',
  concurrencyMismatch: '0x80060882',
  privilegeDenied: '0x80040220',
  // [unverified] codes below: chosen to match what the service is commonly observed returning.
  resourceNotFound: '0x8006088a',
  queryNotSupported: '0x80060888',
  payloadError: '0x80048d19',
  invalidArgument: '0x80040203',
  unexpected: '0x80040216',
  userDisabled: '0x80040225',
  userNotInOrg: '0x80072560',
  adminMode: '0x8004e00c',
  changeTrackingExpired: '0x80044352',
  throttleRequests: '0x80072322',
  throttleExecution: '0x80072321',
  throttleConcurrency: '0x80072326',
  validation: '0x80044331',
  notSupported: '0x80040315',
  batchTooLarge: '0x8006088b',
} as const;

export const notFound = (logicalName: string, id: string) =>
  new DvError(404, CODES.objectDoesNotExist, `${logicalName} With Id = ${id} Does Not Exist`);

export const segmentNotFound = (segment: string) =>
  new DvError(404, CODES.resourceNotFound, `Resource not found for the segment '${segment}'.`);

export const badRequest = (message: string, code: string = CODES.invalidArgument) => new DvError(400, code, message);
