import { safeStorage } from 'electron';
import type { SecretStoreStatus } from '../ports';
import type { SecretCipher } from '../secrets/cipher';

/**
 * Electron safeStorage (DPAPI on Windows, Keychain on macOS, libsecret/kwallet on Linux). On Linux without a
 * secret service Electron silently falls back to a hard-coded key ('basic_text'): we treat that as
 * unavailable and refuse to store secrets rather than pretend they are protected.
 */
export class SafeStorageCipher implements SecretCipher {
  readonly id = 'electron-safestorage';
  status(): SecretStoreStatus {
    if (!safeStorage.isEncryptionAvailable()) {
      return { kind: 'unavailable', available: false, location: null, reason: 'the operating system offers no encryption for this user' };
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return {
        kind: 'unavailable',
        available: false,
        location: null,
        reason: 'no secret service (GNOME Keyring or KWallet) is running, so Electron could only use a built-in key',
      };
    }
    return { kind: 'os', available: true, reason: null, location: null };
  }
  encrypt(plain: string): Buffer {
    return safeStorage.encryptString(plain);
  }
  decrypt(cipher: Buffer): string {
    return safeStorage.decryptString(cipher);
  }
}
