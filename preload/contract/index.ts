import type { z } from 'zod';
import { appEvents, appMethods } from './app';
import { companionMethods } from './companion';
import { connectionEvents, connectionMethods } from './connections';
import { connstrMethods } from './connstr';
import { mappingMethods } from './mappings';
import { profileMethods } from './profiles';
import { sandboxMethods } from './sandbox';
import { setupMethods } from './setup';
import { syncEvents, syncMethods } from './sync';
import { uploadMethods } from './uploads';

export * from './core';
export * from './app';
export * from './companion';
export * from './connections';
export * from './connstr';
export * from './mappings';
export * from './profiles';
export * from './sandbox';
export * from './setup';
export * from './sync';
export * from './urls';
export * from './uploads';

/**
 * Every renderer-callable method, named `domain.verb`. This object is the single source of truth:
 * the main-process router validates input and output against it, the preload exposes exactly these
 * names, and the renderer's typed client derives its types from it.
 */
export const methods = {
  ...appMethods,
  ...connstrMethods,
  ...profileMethods,
  ...sandboxMethods,
  ...connectionMethods,
  ...mappingMethods,
  ...setupMethods,
  ...syncMethods,
  ...companionMethods,
  ...uploadMethods,
};

/** Push events main → renderer, validated before they are sent. */
export const events = {
  ...appEvents,
  ...connectionEvents,
  ...syncEvents,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
