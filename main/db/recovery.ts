/**
 * A damaged store is explained, never used or replaced silently: which file, what is wrong, that nothing was changed,
 * and the two ways on — start from the latest automatic backup (`<file>.backup-v<N>`, taken before every migration)
 * or move the damaged file aside and start with a fresh store. Both keep the damaged file next to the store.
 */
import { closeSync, copyFileSync, existsSync, openSync, readSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { makePrivateFile } from '../platform/paths';
import { AppFailure } from '../rpc/errors';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What is wrong with an existing store file, in words for the user; null when it looks like an intact SQLite file. */
export function diagnoseDatabaseFile(file: string): string | null {
  let st;
  try {
    st = statSync(file);
  } catch (x) {
    return `it cannot be read (${(x as NodeJS.ErrnoException).code ?? (x as Error).message})`;
  }
  if (st.isDirectory()) return 'there is a folder in its place, not a file';
  if (!st.isFile()) return 'it is not a regular file';
  const wal = `${file}-wal`;
  const walSize = existsSync(wal) ? statSync(wal).size : 0;
  if (st.size === 0) return walSize > 0 ? null : 'the file is empty (0 bytes); it was probably cut off while being written or copied';
  const head = Buffer.alloc(100);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (x) {
    return `it cannot be read (${(x as NodeJS.ErrnoException).code ?? (x as Error).message})`;
  }
  if (read < 100) return `the file is too short to be a database (${st.size} bytes)`;
  if (!head.subarray(0, 16).equals(SQLITE_HEADER)) return 'the file is not a SQLite database any more (its header was overwritten)';
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = head.readUInt32BE(28);
  const counterValid = head.readUInt32BE(24) === head.readUInt32BE(92);
  if (counterValid && pages > 0 && st.size < pageSize * pages) {
    return `the file is truncated (${st.size} bytes; its header says ${pageSize * pages} bytes)`;
  }
  return null;
}

/** The newest `<file>.backup-*` copy (automatic backups taken before migrations), or null. */
export function latestBackup(file: string): string | null {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.backup-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return null;
  }
  const found = names
    .map((n) => path.join(dir, n))
    .filter((p) => statSync(p).isFile() && statSync(p).size > 0)
    .map((p) => ({ p, t: statSync(p).mtimeMs }))
    .sort((a, b) => b.t - a.t || b.p.localeCompare(a.p));
  return found[0]?.p ?? null;
}

export function damagedDatabase(file: string, problem: string): AppFailure {
  const backup = latestBackup(file);
  const ways = backup
    ? `To start from the latest automatic backup (${backup}, saved ${statSync(backup).mtime.toISOString()}), run "d365ic host --restore-backup". ` +
      'To move the damaged file aside and start with a fresh, empty store, run "d365ic host --fresh-store".'
    : 'There is no automatic backup of it. To move the damaged file aside and start with a fresh, empty store, run "d365ic host --fresh-store" ' +
      '(the option --restore-backup needs a backup).';
  return new AppFailure(
    'DB_DAMAGED',
    `The console's data file ${file} cannot be opened: ${problem}. Nothing was changed. ${ways} ` +
      'Either way the damaged file is kept next to it (console.sqlite.damaged-<time>) for a closer look.',
    { file, problem, backup: backup ?? '' },
  );
}

const CORRUPTION = /^SQLITE_(CORRUPT|NOTADB|CANTOPEN|IOERR)/;
/** True for the SQLite errors that mean the file itself is unusable (not a bug in a query). */
export function isDamageError(x: unknown): boolean {
  return typeof (x as { code?: unknown })?.code === 'string' && CORRUPTION.test((x as { code: string }).code);
}

export interface Recovery {
  /** Where the damaged file (and its -wal/-shm) now is, or null when there was none. */
  movedTo: string | null;
  /** The backup copied into place ('backup'), or null ('fresh'). */
  restoredFrom: string | null;
}

/** The user's choice after DB_DAMAGED: move the damaged store aside, then copy the latest backup in ('backup') or leave it empty ('fresh'). */
export function recoverDatabase(file: string, how: 'backup' | 'fresh', now: Date = new Date()): Recovery {
  const backup = how === 'backup' ? latestBackup(file) : null;
  if (how === 'backup' && !backup) {
    throw new AppFailure('DB_NO_BACKUP', `There is no automatic backup of ${file}; nothing was changed. Run "d365ic host --fresh-store" to start with a fresh store.`, { file });
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const movedTo = existsSync(file) ? `${file}.damaged-${stamp}` : null;
  if (movedTo) {
    renameSync(file, movedTo);
    // A -wal left behind would be replayed into the new store: it belongs to the damaged one.
    for (const suffix of ['-wal', '-shm', '-journal']) if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
  }
  if (backup) {
    copyFileSync(backup, file);
    makePrivateFile(file);
  }
  return { movedTo, restoredFrom: backup };
}
