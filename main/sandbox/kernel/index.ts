/** The sandbox kernel: one loopback HTTP/HTTPS host, services registered and started by name. See docs/sandbox-kernel.md. */
export { startHost, createClock, createFaultProfiles, readBody, sendJson, DEFAULT_MAX_BODY_BYTES } from './host';
export type { HostOptions, SandboxHost } from './host';
export { registerService, serviceFactory, registeredServices } from './registry';
export { ensureSandboxTls } from './tls';
export type { SandboxTls } from './tls';
export type { SandboxService, SandboxClock, FaultProfiles, FaultProfileDefinition, KernelContext, ServiceFactory } from './types';
