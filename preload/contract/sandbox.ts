import { z } from 'zod';
import { Empty, method } from './core';

export const KnobsSchema = z.object({
  latencyMs: z.number().int().min(0).max(60_000),
  faultRate: z.number().min(0).max(1),
  faultSeed: z.number().int(),
  faultKinds: z.array(z.enum(['5xx', 'reset', '429'])),
  burstLength: z.number().int().min(1).max(1000),
});
export type KnobsDto = z.infer<typeof KnobsSchema>;

export const SandboxServiceSchema = z.enum(['dataverse', 'businessCentral']);

/** What the sandbox page shows. Demo passwords are sandbox fixtures (also printed by `d365ic sandbox`); no client secret. */
export const SandboxStatusSchema = z.object({
  running: z.boolean(),
  endpoints: z
    .object({
      authority: z.string(),
      tokenEndpoint: z.string(),
      dataverseUrl: z.string(),
      dataverseApiBase: z.string(),
      businessCentralApiBase: z.string(),
      tenant: z.string(),
      environment: z.string(),
      companyId: z.string(),
      integrationClientId: z.string(),
    })
    .nullable(),
  users: z.array(z.object({ username: z.string(), password: z.string(), roles: z.array(z.string()) })),
  knobs: z.object({ dataverse: KnobsSchema, businessCentral: KnobsSchema }).nullable(),
  adminMode: z.boolean(),
});
export type SandboxStatus = z.infer<typeof SandboxStatusSchema>;

export const sandboxMethods = {
  'sandbox.status': method(Empty, SandboxStatusSchema, 'Endpoints, demo users and knobs of the embedded sandbox.'),
  'sandbox.setKnobs': method(
    z.object({ service: SandboxServiceSchema, knobs: KnobsSchema.partial() }).strict(),
    KnobsSchema,
    'Change latency / fault injection of one sandbox service.',
  ),
  'sandbox.setAdminMode': method(z.object({ on: z.boolean() }).strict(), z.object({ adminMode: z.boolean() }), 'Put the sandbox Dataverse environment in or out of administration mode.'),
};
