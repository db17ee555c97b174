import type { Logger } from '../ports';

/** Strings that look like credentials are masked before anything is logged. */
const PATTERNS: [RegExp, string][] = [
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '<jwt>'],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 <redacted>'],
  [/((?:password|pwd|secret|clientsecret|client_secret|refresh_token|access_token|code_verifier|assertion)\s*[=:]\s*)("[^"]*"|'[^']*'|[^;&\s,}]+)/gi, '$1<redacted>'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((s, [re, by]) => s.replace(re, by), text);
}

function format(detail: unknown): string {
  if (detail === undefined) return '';
  if (detail instanceof Error) return ` ${detail.stack ?? detail.message}`;
  try {
    return ` ${JSON.stringify(detail)}`;
  } catch {
    return ` ${String(detail)}`;
  }
}

export function consoleLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const log = (level: string) => (message: string, detail?: unknown) =>
    write(redact(`${new Date().toISOString()} ${level} ${message}${format(detail)}`));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
