import { z } from 'zod';
import { method } from '../core/rpc';

/**
 * Why a field mapping is not carried on the current connection (main/integrations/sales/sync/adapters/carried.ts):
 * needsCompanion — BC publishes it only through the Integration Console companion extension, which is not installed;
 * notInStandardApi — BC's standard API does not publish it and the console reads this table through that API;
 * notSupported — the console does not carry the Dataverse side yet.
 */
export const NotCarriedReasonSchema = z.enum(['needsCompanion', 'notInStandardApi', 'notSupported']);
export type NotCarriedReason = z.infer<typeof NotCarriedReasonSchema>;

export const NotCarriedFieldSchema = z.object({ bcField: z.string().nullable(), dataverseField: z.string().nullable(), reason: NotCarriedReasonSchema });
export type NotCarriedFieldDto = z.infer<typeof NotCarriedFieldSchema>;

export const CompanionStatusSchema = z.object({
  /** The Business Central connection that was asked (the one synchronization uses); null when there is none. */
  connection: z.string().nullable(),
  /** installed / outdated (older than minimumVersion) / missing / unknown (BC did not answer); null: no BC connection. */
  state: z.enum(['installed', 'outdated', 'missing', 'unknown']).nullable(),
  version: z.string().nullable(),
  minimumVersion: z.string(),
  checkedAt: z.string().nullable(),
  /** Per default mapping: whether it can run on this connection at all, and the field mappings it does not carry. */
  mappings: z.array(z.object({ mapping: z.string(), runs: z.boolean(), fields: z.array(NotCarriedFieldSchema) })),
});
export type CompanionStatus = z.infer<typeof CompanionStatusSchema>;

export const companionMethods = {
  'companion.status': method(
    z.strictObject({ refresh: z.boolean().optional() }),
    CompanionStatusSchema,
    'Whether the BC connection has the companion extension (and its version), and per mapping the fields not carried on it and why.',
  ),
};
