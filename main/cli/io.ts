/** What a CLI command gets instead of touching process.* directly, so commands are testable in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (resolves '' when stdin is a TTY or empty). */
  readStdin: () => Promise<string>;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks the command to stop (SIGINT/SIGTERM); long-running commands await it. */
  untilSignal: () => Promise<string>;
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export class UsageError extends Error {}

/** Minimal flag parser: --name value, --name=value, --flag (boolean), positionals. */
export function parseFlags(args: string[], booleans: readonly string[] = []): { flags: Record<string, string | true>; positionals: string[] } {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { positionals.push(...args.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) { flags[a.slice(2, eq)] = a.slice(eq + 1); continue; }
      const name = a.slice(2);
      const next = args[i + 1];
      if (booleans.includes(name) || next === undefined || next.startsWith('--')) flags[name] = true;
      else { flags[name] = next; i++; }
    } else positionals.push(a);
  }
  return { flags, positionals };
}
