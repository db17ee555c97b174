import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../platform/paths';
import type { SecretStoreStatus } from '../ports';
import type { SecretCipher } from './cipher';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

/**
 * AES-256-GCM with a random key kept in a file readable only by the current user (mode 0600). Used by the
 * browser host and the CLI, where Electron's safeStorage is not available. It protects secrets from anyone
 * who copies the database without the key file, not from someone who can read the user's files — the UI
 * says so plainly (visible notice).
 */
export class KeyFileCipher implements SecretCipher {
  readonly id = 'aes-256-gcm-keyfile';
  private key: Buffer;
  constructor(readonly keyFile: string) {
    this.key = loadOrCreateKey(keyFile);
  }
  status(): SecretStoreStatus {
    return { kind: 'key-file', available: true, reason: null, location: this.keyFile };
  }
  encrypt(plain: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
  }
  decrypt(blob: Buffer): string {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) throw new Error('Unrecognised secret format');
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const d = createDecipheriv('aes-256-gcm', this.key, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  }
}

function loadOrCreateKey(file: string): Buffer {
  if (existsSync(file)) {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`The secret key file ${file} is damaged (expected ${KEY_BYTES} bytes).`);
    return key;
  }
  ensurePrivateDir(path.dirname(file));
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
