/**
 * Per-table run leases in the sync database (issue 12): the lock that keeps two runs off one BC table holds across
 * processes on one data folder (the console and a `d365ic sync run`), not only inside one engine.
 *
 * One `TableLeases` = one owner (a random id per process or service). A lease row names its owner, a label and
 * pid/host for messages, and an expiry the owner's heartbeat moves on while it holds anything. A lease is free to
 * take when its owner is this one (re-entrant), when it expired, or when its process is gone on this host (SIGKILL
 * leaves no chance to release it). Jobs carry their owner: only jobs whose owner holds no live lease are closed as
 * Interrupted, so a second process never closes the live jobs of the first.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db } from '../../db/database';
import type { Clock } from '../../ports';

export interface LeaseHolder {
  owner: string;
  label: string;
  pid: number;
  host: string;
  mapping: string;
  since: number;
  expiresAt: number;
}

/** A table another process (or service) is synchronizing now. */
export class TableLeasedError extends Error {
  override name = 'TableLeasedError';
  constructor(readonly tableName: string, readonly holder: LeaseHolder) {
    super(`${tableName} is being synchronized by ${holder.label} (process ${holder.pid} on ${holder.host}, mapping ${holder.mapping}) since ` +
      `${new Date(holder.since).toISOString()}. Wait for it to finish (or stop it there), then try again.`);
  }
}

export interface LeaseOptions {
  /** Who holds the tables, for the other process's message (e.g. "the Integration Console", "the d365ic CLI"). */
  label?: string;
  /** A lease not renewed for this long is free (default 60 s). */
  ttlMs?: number;
  /** Heartbeat while holding anything (default ttl / 4). */
  heartbeatMs?: number;
  pid?: number;
  host?: string;
  /** Whether a process of this host still lives (default: signal 0). */
  alive?: (pid: number) => boolean;
}

interface Row {
  table_id: number;
  mapping: string;
  owner: string;
  label: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

/** The text messages.ts recognises (code 'interrupted', translated in the renderer). */
export const INTERRUPTED_MESSAGE = 'Interrupted: the console stopped during this run. The next run resumed it.';

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (x) {
    return (x as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class TableLeases {
  readonly owner = randomUUID();
  readonly label: string;
  private readonly ttl: number;
  private readonly beat: number;
  private readonly pid: number;
  private readonly host: string;
  private readonly isAlive: (pid: number) => boolean;
  /** Table id → how many holds of this owner (re-entrant: a manual action's lease and the run inside it). */
  private readonly held = new Map<number, number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly s;

  constructor(private readonly db: Db, private readonly clock: Clock, o: LeaseOptions = {}) {
    this.label = o.label ?? `the process ${process.pid}`;
    this.ttl = o.ttlMs ?? 60_000;
    this.beat = o.heartbeatMs ?? Math.max(1000, Math.floor(this.ttl / 4));
    this.pid = o.pid ?? process.pid;
    this.host = o.host ?? os.hostname();
    this.isAlive = o.alive ?? processAlive;
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      get: p('SELECT * FROM sync_leases WHERE table_id = ?'),
      put: p(`INSERT INTO sync_leases (table_id, mapping, owner, label, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (table_id) DO UPDATE SET mapping = excluded.mapping, owner = excluded.owner, label = excluded.label, pid = excluded.pid,
              host = excluded.host, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`),
      release: p('DELETE FROM sync_leases WHERE table_id = ? AND owner = ?'),
      renew: p('UPDATE sync_leases SET heartbeat_at = ?, expires_at = ? WHERE owner = ?'),
      ofOwner: p('SELECT * FROM sync_leases WHERE owner = ?'),
      openOwners: p('SELECT DISTINCT owner FROM sync_jobs WHERE finished_at IS NULL'),
      closeOf: p('UPDATE sync_jobs SET finished_at = ?, message = ? WHERE finished_at IS NULL AND owner = ?'),
      closeUnowned: p('UPDATE sync_jobs SET finished_at = ?, message = ? WHERE finished_at IS NULL AND owner IS NULL'),
    };
  }

  private live(r: Row, now: number): boolean {
    if (r.owner === this.owner) return true;
    if (r.expires_at <= now) return false;
    return r.host !== this.host || this.isAlive(r.pid);
  }

  private toHolder(r: Row): LeaseHolder {
    return { owner: r.owner, label: r.label, pid: r.pid, host: r.host, mapping: r.mapping, since: r.acquired_at, expiresAt: r.expires_at };
  }

  /** Who else holds the table now (null: free, expired, or ours). */
  holder(tableId: number): LeaseHolder | null {
    const r = this.s.get.get(tableId) as Row | undefined;
    if (!r || r.owner === this.owner || !this.live(r, this.clock.now())) return null;
    return this.toHolder(r);
  }

  /** Whether `owner` holds any live lease (this owner always counts as alive). */
  ownerAlive(owner: string): boolean {
    if (owner === this.owner) return true;
    const now = this.clock.now();
    return (this.s.ofOwner.all(owner) as Row[]).some((r) => this.live(r, now));
  }

  /**
   * Takes the table for this owner or throws TableLeasedError naming who holds it. Taking over a dead owner's lease
   * closes that owner's unfinished jobs as Interrupted (their work is resumed by this run: pending couplings,
   * unchanged watermarks).
   */
  acquire(tableId: number, mapping: string, tableName: string): void {
    const n = this.held.get(tableId);
    if (n !== undefined) {
      this.held.set(tableId, n + 1);
      return;
    }
    // IMMEDIATE: the read and the write of the lease happen under SQLite's write lock, so two processes cannot both win.
    const take = this.db.transaction((): LeaseHolder | null => {
      const now = this.clock.now();
      const r = this.s.get.get(tableId) as Row | undefined;
      if (r && r.owner !== this.owner && this.live(r, now)) return this.toHolder(r);
      this.s.put.run(tableId, mapping, this.owner, this.label, this.pid, this.host, now, now, now + this.ttl);
      return null;
    });
    const other = take.immediate();
    if (other) throw new TableLeasedError(tableName, other);
    this.held.set(tableId, 1);
    this.closeInterrupted();
    this.startHeartbeat();
  }

  release(tableId: number): void {
    const n = this.held.get(tableId);
    if (n === undefined) return;
    if (n > 1) {
      this.held.set(tableId, n - 1);
      return;
    }
    this.held.delete(tableId);
    this.s.release.run(tableId, this.owner);
    if (this.held.size === 0) this.stopHeartbeat();
  }

  /** Runs `fn` holding the table. */
  async with<T>(tableId: number, mapping: string, tableName: string, fn: () => Promise<T> | T): Promise<T> {
    this.acquire(tableId, mapping, tableName);
    try {
      return await fn();
    } finally {
      this.release(tableId);
    }
  }

  /** Moves the expiry of every lease this owner holds on (the heartbeat calls it; tests may too). */
  renew(): void {
    const now = this.clock.now();
    this.s.renew.run(now, now + this.ttl, this.owner);
  }

  /** Closes unfinished jobs whose owner holds no live lease (or that have no owner: written before leases existed). */
  closeInterrupted(): number {
    const now = this.clock.now();
    let closed = 0;
    const dead = (this.s.openOwners.all() as { owner: string | null }[]).filter((r) => r.owner === null || !this.ownerAlive(r.owner));
    for (const { owner } of dead)
      closed += (owner === null ? this.s.closeUnowned.run(now, INTERRUPTED_MESSAGE) : this.s.closeOf.run(now, INTERRUPTED_MESSAGE, owner)).changes;
    return closed;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.renew();
      } catch {
        // A closed database (the process is shutting down): nothing left to keep alive.
        this.stopHeartbeat();
      }
    }, this.beat);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Lets go of everything this owner holds (process shutting down). */
  close(): void {
    this.stopHeartbeat();
    for (const id of [...this.held.keys()]) this.s.release.run(id, this.owner);
    this.held.clear();
  }
}
