/**
 * Minimal JWS (compact JWT) signing and verification on node:crypto. Enough for the sandbox authority: it signs
 * its own tokens with RS256 and verifies client assertions (RS256, or PS256 which msal-node uses when configured
 * with a SHA-256 certificate thumbprint). No external JWT library so the sandbox has no extra dependency.
 */
import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify, constants } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'PS256';
export type JwtHeader = { alg: string; typ?: string; kid?: string; x5t?: string; 'x5t#S256'?: string; x5c?: string | string[] };
export type JwtPayload = Record<string, unknown>;

export const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
export const fromB64url = (s: string): Buffer => Buffer.from(s, 'base64url');

function signingOptions(alg: JwtAlgorithm, key: KeyObject) {
  // PS256 = RSASSA-PSS with SHA-256 and a salt as long as the digest (RFC 7518 §3.5).
  return alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { key };
}

export function signJwt(header: Omit<JwtHeader, 'alg'> & { alg?: JwtAlgorithm }, payload: JwtPayload, key: KeyObject): string {
  const alg: JwtAlgorithm = header.alg ?? 'RS256';
  const input = `${b64url(JSON.stringify({ typ: 'JWT', ...header, alg }))}.${b64url(JSON.stringify(payload))}`;
  const sig = cryptoSign('sha256', Buffer.from(input), signingOptions(alg, key));
  return `${input}.${b64url(sig)}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

/** Parse without verifying. Returns null for anything that is not a three-part JWS with JSON header and payload. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  // Only canonical base64url: otherwise the spare bits of a segment's last character could be changed without
  // changing the decoded bytes, and two different strings would verify as the same token.
  if (parts.some((p) => fromB64url(p).toString('base64url') !== p)) return null;
  try {
    const header = JSON.parse(fromB64url(parts[0]!).toString('utf8')) as unknown;
    const payload = JSON.parse(fromB64url(parts[1]!).toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload) || typeof header.alg !== 'string') return null;
    return { header: header as JwtHeader, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: fromB64url(parts[2]!) };
  } catch {
    return null;
  }
}

/** Verify the signature of a decoded token with one public key. Only RS256/PS256 are accepted ("none" never). */
export function verifySignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const alg = jwt.header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return false;
  try {
    return cryptoVerify('sha256', Buffer.from(jwt.signingInput), signingOptions(alg, key), jwt.signature);
  } catch {
    return false;
  }
}

/** Thumbprints (x5t = SHA-1, x5t#S256 = SHA-256, base64url) of a DER certificate, as JOSE headers carry them. */
export function certificateThumbprints(der: Buffer): { x5t: string; x5tS256: string } {
  return { x5t: b64url(createHash('sha1').update(der).digest()), x5tS256: b64url(createHash('sha256').update(der).digest()) };
}

/** Public key from either a PEM public key (SPKI/PKCS#1) or a PEM X.509 certificate. Throws with a readable message. */
export function publicKeyFromPem(pem: string): { key: KeyObject; certificateDer?: Buffer } {
  const cert = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  try {
    if (cert) {
      const der = Buffer.from(cert[1]!.replace(/\s+/g, ''), 'base64');
      return { key: createPublicKey(pem), certificateDer: der };
    }
    return { key: createPublicKey(pem) };
  } catch (x) {
    throw new Error(`Not a usable PEM public key or certificate (${(x as Error).message}). Send "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----" text.`, { cause: x });
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
