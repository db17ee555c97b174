/**
 * Services started by name: a service module calls `registerService('graph', factory)` when imported, and a host
 * starts it with `host.start('graph', options)`. The registry holds factories only, never running services.
 */
import type { ServiceFactory } from './types';

const factories = new Map<string, ServiceFactory<never>>();

export function registerService<O>(name: string, factory: ServiceFactory<O>): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Sandbox service name '${name}' must be lower-case letters, digits and dashes.`);
  const existing = factories.get(name);
  if (existing && existing !== (factory as ServiceFactory<never>)) throw new Error(`A sandbox service named '${name}' is already registered.`);
  factories.set(name, factory as ServiceFactory<never>);
}

export function serviceFactory<O>(name: string): ServiceFactory<O> {
  const f = factories.get(name);
  if (!f) {
    const known = [...factories.keys()].sort().join(', ') || '(none: import the service module first)';
    throw new Error(`No sandbox service named '${name}' is registered. Registered: ${known}.`);
  }
  return f as unknown as ServiceFactory<O>;
}

export function registeredServices(): string[] {
  return [...factories.keys()].sort();
}
