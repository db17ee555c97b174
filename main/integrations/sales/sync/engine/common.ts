/** Constants and errors the engine's modules share (engine.ts, options.ts), so neither imports the other for them. */

/** BC splits long id lists into OR-chunks of at most 400 (E.3 c); the adapters get the same bound. */
export const ID_CHUNK = 400;

/** Configuration problems that stop a pass before any record is touched. */
export class MappingConfigError extends Error {
  override name = 'MappingConfigError';
}
