/** The kernel's per-data-folder CA: reused across runs, leaf re-issued near expiry, chain verifies with node:crypto. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSandboxTls } from '../../../main/sandbox/kernel';

const dir = mkdtempSync(join(tmpdir(), 'd365ic-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureSandboxTls', () => {
  it('creates a CA and a 127.0.0.1/localhost leaf in <dataDir>/sandbox-tls, and reuses both on the next run', () => {
    const a = ensureSandboxTls(dir);
    expect(a.caFile).toBe(join(dir, 'sandbox-tls', 'ca.pem'));
    const ca = new X509Certificate(a.caPem);
    const leaf = new X509Certificate(a.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(statSync(join(dir, 'sandbox-tls', 'ca.key.pem')).mode & 0o077).toBe(0);
    const b = ensureSandboxTls(dir);
    expect(b.caPem).toBe(a.caPem);
    expect(b.cert).toBe(a.cert);
  });
  it('re-issues the leaf from the same CA when it is within 30 days of expiry', () => {
    const a = ensureSandboxTls(dir);
    const later = Date.now() + 380 * 86_400_000;
    const b = ensureSandboxTls(dir, later);
    expect(b.caPem).toBe(a.caPem);
    expect(b.cert).not.toBe(a.cert);
    expect(new X509Certificate(b.cert).verify(new X509Certificate(a.caPem).publicKey)).toBe(true);
  });
});
