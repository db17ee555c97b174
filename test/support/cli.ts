import type { CliIo } from '../../main/cli/io';

/** An in-process CliIo that records stdout/stderr and serves a fixed stdin. */
export function fakeIo(stdin = '', env: Record<string, string | undefined> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    readStdin: async () => stdin,
    isTTY: false,
    env,
    untilSignal: () => Promise.resolve('SIGTERM'),
  };
  return io;
}
