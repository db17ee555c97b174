import type { CliIo } from './io';

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
    readStdin: async () => {
      if (process.stdin.isTTY) return '';
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    untilSignal: () =>
      new Promise<string>((resolve) => {
        const done = (sig: string) => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          resolve(sig);
        };
        const onInt = () => done('SIGINT');
        const onTerm = () => done('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      }),
  };
}
