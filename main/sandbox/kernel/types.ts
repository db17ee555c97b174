/**
 * The sandbox kernel's plug-in surface. A service is a request handler with a name; the kernel owns everything
 * around it (listening, TLS, body limits, /_sandbox knobs, latency, generic faults, the clock, token checks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthFailure, SandboxPrincipal } from '../auth';
import type { FaultKind, Knobs } from './knobs';

export interface SandboxService {
  name: string;
  /** Answer one request. `body` is the whole request body (already size-checked by the kernel). */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  close?(): Promise<void>;
  /**
   * The service applies the host's latency and random faults itself (`ctx.delay()`, `ctx.nextFault()`) at the point
   * its real counterpart would fail — after routing and the token check, in its own error shape — instead of the
   * host doing it before the request reaches the service.
   */
  injectsOwnFaults?: boolean;
  /**
   * `/_sandbox/...` paths (prefixes) the service answers itself — including the loopback Host check — instead of the
   * host's administration routes, e.g. Dataverse's `/_sandbox/knobs` with its extra limits and admin mode.
   */
  adminPaths?: string[];
  /** Answer a request whose body exceeds the host's limit in the service's own shape (default: the host's 413). */
  tooLarge?(req: IncomingMessage, res: ServerResponse, maxBytes: number): void;
}

/** Sandbox time: the real clock (or an injected one) plus an offset that tests and /_sandbox/clock can advance. */
export interface SandboxClock {
  now(): number;
  advance(ms: number): void;
}

export interface FaultProfileDefinition {
  name: string;
  /** One line for the Demo sandbox page and docs. */
  description: string;
  /** Default parameters (numbers or strings), overridable when the profile is switched on. */
  defaults: Record<string, number | string>;
}

/** Named fault profiles a service defines and /_sandbox/faults (or tests) switch on and off. */
export interface FaultProfiles {
  define(def: FaultProfileDefinition): void;
  defined(): FaultProfileDefinition[];
  /** Parameters of an active profile (defaults merged), or undefined when it is off. */
  active(name: string): Record<string, number | string> | undefined;
  enable(name: string, params?: Record<string, number | string>): void;
  disable(name: string): void;
  /** Replace the active set. Unknown names throw with the list of known ones. */
  set(profiles: Record<string, Record<string, number | string>>): void;
  list(): Record<string, Record<string, number | string>>;
}

/** What a service factory receives from the host. */
export interface KernelContext {
  /** Public origin of the host, e.g. https://127.0.0.1:49152 (no trailing slash). */
  origin: string;
  clock: SandboxClock;
  faults: FaultProfiles;
  /** Generic knobs (latency, random faults) of the host. */
  knobs(): Knobs;
  /** Verify the request's Authorization header for an audience with the identity sandbox's verifier. Never throws. */
  authenticate(req: IncomingMessage, audience: string): SandboxPrincipal | AuthFailure;
  /** Change the host's generic knobs (for services that keep their own `/_sandbox/knobs` route). */
  setKnobs(patch: Partial<Knobs>): Knobs;
  /** The next random fault of the host's seeded sequence, or null (services with `injectsOwnFaults`). */
  nextFault(): FaultKind | null;
  /** Wait the host's `latencyMs` (services with `injectsOwnFaults`). */
  delay(): Promise<void>;
}

export type ServiceFactory<O = unknown> = (ctx: KernelContext, options: O) => SandboxService | Promise<SandboxService>;
