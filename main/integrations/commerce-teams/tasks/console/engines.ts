/**
 * The task bridge's engines bound to the console's ports (./ports.ts). An engine not yet in this build is left
 * out; the service then answers TASKS_ENGINE_UNAVAILABLE for it and the pages say so.
 */
import type { TaskEngines } from './ports';

export function taskEngines(): TaskEngines {
  return {};
}
