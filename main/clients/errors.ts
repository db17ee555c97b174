/**
 * Typed outcomes callers branch on. Everything else stays a ServiceError (main/http/errors) with the service's code.
 */
import type { ServiceError } from '../http/errors';
import { isServiceError } from '../http/errors';

/**
 * The Dataverse change-tracking token is older than the organization's expirechangetrackingindays (or was
 * invalidated). The only recovery is a full resync; callers catch this type instead of parsing error codes.
 */
export class ChangeTrackingExpiredError extends Error {
  constructor(readonly entitySet: string, readonly serviceError: ServiceError) {
    super(`The change-tracking token for ${entitySet} has expired (${serviceError.serviceMessage}). Run a full resync of ${entitySet}; incremental sync resumes after it.`, { cause: serviceError });
    this.name = 'ChangeTrackingExpiredError';
  }
}

/** Dataverse 0x80044352 "Version stamp associated with the client has expired". */
export const DV_CHANGE_TRACKING_EXPIRED = '0x80044352';

/**
 * The row changed (or was deleted and re-created) since it was read: Dataverse 412 with an etag If-Match,
 * BC 409 Request_EntityChanged (412 on some BC versions). Reread, merge, retry.
 */
export function isConcurrencyConflict(err: unknown): err is ServiceError {
  if (!isServiceError(err) || alreadyExists(err)) return false;
  return err.status === 412 || err.status === 409 || err.code === 'Request_EntityChanged' || err.code === '0x80060882';
}

/** A create with a client-chosen id (or If-None-Match: *) found the row already there. */
export function isAlreadyExists(err: unknown): err is ServiceError {
  return isServiceError(err) && alreadyExists(err);
}

function alreadyExists(err: ServiceError): boolean {
  return err.code === '0x80040237' || err.code === 'Internal_EntityWithSameKeyExists' || (err.status === 412 && /already exists/i.test(err.serviceMessage));
}

export function isNotFound(err: unknown): err is ServiceError {
  return isServiceError(err) && err.status === 404;
}
