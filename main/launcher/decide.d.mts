export function nodeCanRunForge(version: string): boolean;
export function chooseHost(input: {
  nodeVersion: string;
  electronBinary: string | null;
  env: Record<string, string | undefined>;
  args: string[];
}): { host: 'electron' } | { host: 'browser'; reason: string };
