import type { SecretStoreStatus } from '../ports';

/** Turns secret text into ciphertext and back. Implementations never return plaintext when they cannot encrypt. */
export interface SecretCipher {
  /** Identifies the cipher in stored rows, so a value is never handed to the wrong decryptor. */
  readonly id: string;
  status(): SecretStoreStatus;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}
