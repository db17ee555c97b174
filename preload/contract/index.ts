import type { z } from 'zod';
import { appEvents, appMethods } from './core/app';
import { companionMethods } from './sales/companion';
import { connectionEvents, connectionMethods } from './core/connections';
import { connstrMethods } from './sales/connstr';
import { mappingMethods } from './sales/mappings';
import { profileMethods } from './sales/profiles';
import { sandboxMethods } from './core/sandbox';
import { setupMethods } from './sales/setup';
import { syncEvents, syncMethods } from './sales/sync';
import { teamsEvents, teamsMethods } from './commerce-teams/teams';
import { uploadMethods } from './core/uploads';
import { teamsHierarchyMethods, teamsMappingMethods } from './commerce-teams/mapping-methods';
import { tasksEvents, tasksMethods } from './commerce-teams/tasks-methods';

export * from './core/rpc';
export * from './core/app';
export * from './sales/companion';
export * from './core/connections';
export * from './sales/connstr';
export * from './sales/mappings';
export * from './sales/profiles';
export * from './core/sandbox';
export * from './sales/setup';
export * from './sales/sync';
export * from './core/urls';
export * from './core/uploads';
export * from './commerce-teams/mapping-methods';
export * from './commerce-teams/teams';
export * from './commerce-teams/findings';
export * from './commerce-teams/tasks-methods';

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
  ...teamsMethods,
  ...teamsMappingMethods,
  ...teamsHierarchyMethods,
  ...tasksMethods,
};

/** Push events main → renderer, validated before they are sent. */
export const events = {
  ...appEvents,
  ...connectionEvents,
  ...syncEvents,
  ...teamsEvents,
  ...tasksEvents,
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
