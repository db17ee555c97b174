import type { AppError } from '../../preload/contract';

/**
 * An error meant for the user: a stable code the UI translates, English fallback text and parameters.
 * Anything thrown that is not an AppFailure reaches the UI as INTERNAL with a generic message (details stay in the log).
 */
export class AppFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
  toData(): AppError {
    return { code: this.code, message: this.message, ...(this.params ? { params: this.params } : {}) };
  }
}

export const fail = (code: string, message: string, params?: Record<string, string | number>): never => {
  throw new AppFailure(code, message, params);
};
