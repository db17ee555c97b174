import type { IncomingMessage } from 'node:http';

/**
 * The same rule as the console's browser host (main/host/security.ts allowedHosts): sandbox administration answers
 * only requests addressed to this computer's loopback names on the port they arrived at. A page on another site that
 * rebinds its DNS name to 127.0.0.1 sends its own name as Host and is refused (421), even for GET.
 */
export function adminHostAllowed(req: IncomingMessage): boolean {
  const port = req.socket.localPort;
  const host = (req.headers.host ?? '').toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export const WRONG_HOST_MESSAGE = 'Sandbox administration only answers requests addressed to 127.0.0.1 or localhost on its own port (Host header).';
