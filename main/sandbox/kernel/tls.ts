/**
 * A local certificate authority per data folder, so sandbox services can listen on https://127.0.0.1 (the official
 * Graph client only sends tokens to, and only follows next links on, https:// URLs).
 *
 * node:crypto generates the RSA keys (fast, native); node-forge builds and signs the X.509 certificates, which
 * node:crypto cannot do. The CA lives in `<dataDir>/sandbox-tls/` and is reused across runs, so a user or a test
 * trusts one file (`caFile`, e.g. via NODE_EXTRA_CA_CERTS) once; the leaf certificate for 127.0.0.1/localhost/::1
 * is re-issued from that CA when it is missing or close to expiry. Nothing here is ever trusted system-wide.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import forge from 'node-forge';

export interface SandboxTls {
  /** Absolute path of the CA certificate (PEM) clients must trust. */
  caFile: string;
  caPem: string;
  /** Leaf certificate (PEM, for 127.0.0.1, localhost and ::1) and its private key for the HTTPS server. */
  cert: string;
  key: string;
}

const DAY = 86_400_000;
const CA_DAYS = 3650;
const LEAF_DAYS = 397;
const RENEW_BEFORE_DAYS = 30;

function rsaPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** Positive serial number (leading 0x01 keeps the DER INTEGER positive). */
const serial = () => `01${randomBytes(15).toString('hex')}`;

function issueCa(now: number): { cert: string; key: string } {
  const pair = rsaPair();
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  c.serialNumber = serial();
  c.validity.notBefore = new Date(now - DAY);
  c.validity.notAfter = new Date(now + CA_DAYS * DAY);
  const name = [
    { name: 'commonName', value: 'Integration Console sandbox CA' },
    { name: 'organizationName', value: 'Integration Console (local sandbox only)' },
  ];
  c.setSubject(name);
  c.setIssuer(name);
  c.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, pathLenConstraint: 0 },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  c.sign(forge.pki.privateKeyFromPem(pair.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: pair.privateKey };
}

function issueLeaf(caCertPem: string, caKeyPem: string, now: number): { cert: string; key: string } {
  const ca = forge.pki.certificateFromPem(caCertPem);
  const pair = rsaPair();
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  c.serialNumber = serial();
  c.validity.notBefore = new Date(now - DAY);
  c.validity.notAfter = new Date(now + LEAF_DAYS * DAY);
  c.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  c.setIssuer(ca.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }, { type: 7, ip: '::1' }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  c.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: pair.privateKey };
}

function usable(certPem: string, issuerPem: string | undefined, now: number): boolean {
  try {
    const x = new X509Certificate(certPem);
    if (Date.parse(x.validTo) - RENEW_BEFORE_DAYS * DAY < now) return false;
    return issuerPem ? x.verify(new X509Certificate(issuerPem).publicKey) : true;
  } catch {
    return false;
  }
}

/**
 * Load or create the sandbox CA and a leaf certificate under `<dataDir>/sandbox-tls/`. Without a data folder the
 * files go to a fresh temporary folder (tests). Private keys are written with mode 0600.
 */
export function ensureSandboxTls(dataDir?: string, now = Date.now()): SandboxTls {
  const dir = dataDir ? resolve(dataDir, 'sandbox-tls') : mkdtempSync(join(tmpdir(), 'd365ic-sandbox-tls-'));
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca.key.pem');
  const leafFile = join(dir, 'localhost.pem');
  const leafKeyFile = join(dir, 'localhost.key.pem');

  let caPem = existsSync(caFile) ? readFileSync(caFile, 'utf8') : '';
  let caKey = existsSync(caKeyFile) ? readFileSync(caKeyFile, 'utf8') : '';
  let fresh = false;
  if (!caPem || !caKey || !usable(caPem, undefined, now)) {
    const ca = issueCa(now);
    caPem = ca.cert;
    caKey = ca.key;
    writeFileSync(caKeyFile, caKey, { mode: 0o600 });
    writeFileSync(caFile, caPem);
    fresh = true;
  }
  let cert = !fresh && existsSync(leafFile) ? readFileSync(leafFile, 'utf8') : '';
  let key = !fresh && existsSync(leafKeyFile) ? readFileSync(leafKeyFile, 'utf8') : '';
  if (!cert || !key || !usable(cert, caPem, now)) {
    const leaf = issueLeaf(caPem, caKey, now);
    cert = leaf.cert;
    key = leaf.key;
    writeFileSync(leafKeyFile, key, { mode: 0o600 });
    writeFileSync(leafFile, cert);
  }
  return { caFile, caPem, cert, key };
}
