import crypto from 'node:crypto';

/**
 * Encryption at rest for patient identity (personnummer / samordningsnummer).
 *
 * * `encrypt` / `decrypt`: AES-256-GCM with a fresh random 12-byte IV for every value. The token is a versioned compact
 *   string `v1.<iv>.<ciphertext>.<tag>`, each part base64url without padding. The version string is bound to the
 *   ciphertext as additional authenticated data, so a token cannot be relabelled. A changed IV, ciphertext or tag, or a
 *   different key, fails the GCM tag check and `decrypt` throws.
 * * `lookupHash`: a keyed look-up hash, HMAC-SHA256(lookupKey, value) in lower-case hex, so that a patient can be found
 *   by identity without decrypting every row (encryption is randomised and cannot be searched). The value is hashed
 *   exactly as given: callers normalise first (e.g. the 12-digit form from parsePatientIdentity).
 *
 * The two keys are separate so that the look-up key can be given to a component that must find patients without being
 * able to read their identity. parsePatientKeys derives both from one configured secret.
 */

/** The token version this module writes; decrypt accepts only versions it knows. */
export const PATIENT_TOKEN_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** HKDF `info` strings: one configured secret, two independent keys. */
export const ENCRYPTION_KEY_INFO = 'nvf patient encryption v1';
export const LOOKUP_KEY_INFO = 'nvf patient lookup v1';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface PatientKeyMaterial {
  /** 32 bytes: the AES-256-GCM key */
  encryptionKey: Buffer;
  /** 32 bytes: the HMAC-SHA256 key of the look-up hash */
  lookupKey: Buffer;
}

export interface PatientCrypto {
  /** Encrypt one value: `v1.<iv>.<ciphertext>.<tag>` (base64url); a different token every time. */
  encrypt(plain: string): string;
  /** Decrypt a token made by encrypt with the same key; throws an Error when it is malformed, altered or from another key. */
  decrypt(token: string): string;
  /** HMAC-SHA256(lookupKey, value) as 64 lower-case hex characters: the same value and key always give the same hash. */
  lookupHash(value: string): string;
}

function checkKey(name: string, key: unknown): Buffer {
  if (!Buffer.isBuffer(key)) throw new Error(`Patient crypto: ${name} must be a Buffer of ${KEY_BYTES} bytes.`);
  if (key.length !== KEY_BYTES) throw new Error(`Patient crypto: ${name} is ${key.length} bytes; it must be exactly ${KEY_BYTES} bytes.`);
  return key;
}

function decodePart(part: string, what: string): Buffer {
  if (!BASE64URL.test(part)) throw new Error(`Cannot decrypt patient identity: the ${what} of the token is not base64url.`);
  return Buffer.from(part, 'base64url');
}

/**
 * The encrypt / decrypt / lookupHash functions for one pair of keys (both 32-byte Buffers; copied, so later changes to
 * the caller's Buffers have no effect). Throws an Error when a key is missing or of the wrong length.
 */
export function createPatientCrypto(keyMaterial: PatientKeyMaterial): PatientCrypto {
  const encryptionKey = Buffer.from(checkKey('encryptionKey', keyMaterial.encryptionKey));
  const lookupKey = Buffer.from(checkKey('lookupKey', keyMaterial.lookupKey));
  if (encryptionKey.equals(lookupKey)) throw new Error('Patient crypto: encryptionKey and lookupKey must be different keys.');
  const aad = Buffer.from(PATIENT_TOKEN_VERSION, 'utf8');

  return {
    encrypt(plain: string): string {
      if (typeof plain !== 'string') throw new Error('Patient crypto: encrypt takes a string.');
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv(ALGORITHM, encryptionKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [PATIENT_TOKEN_VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
    },

    decrypt(token: string): string {
      if (typeof token !== 'string') throw new Error('Cannot decrypt patient identity: the token must be a string.');
      const parts = token.split('.');
      if (parts.length !== 4) throw new Error('Cannot decrypt patient identity: a token has four dot-separated parts (version.iv.ciphertext.tag).');
      const [version, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string];
      if (version !== PATIENT_TOKEN_VERSION) throw new Error(`Cannot decrypt patient identity: unknown token version (expected ${PATIENT_TOKEN_VERSION}).`);
      const iv = decodePart(ivPart, 'IV');
      const ciphertext = decodePart(ciphertextPart, 'ciphertext');
      const tag = decodePart(tagPart, 'authentication tag');
      if (iv.length !== IV_BYTES) throw new Error(`Cannot decrypt patient identity: the IV must be ${IV_BYTES} bytes.`);
      if (tag.length !== TAG_BYTES) throw new Error(`Cannot decrypt patient identity: the authentication tag must be ${TAG_BYTES} bytes.`);
      const decipher = crypto.createDecipheriv(ALGORITHM, encryptionKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('Cannot decrypt patient identity: the authentication check failed (the token was altered or was encrypted with another key).');
      }
    },

    lookupHash(value: string): string {
      if (typeof value !== 'string') throw new Error('Patient crypto: lookupHash takes a string.');
      return crypto.createHmac('sha256', lookupKey).update(value, 'utf8').digest('hex');
    },
  };
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The two patient keys from one configured secret (an environment variable): either 64 hexadecimal characters or the
 * base64 (standard or url-safe, padding optional) encoding of 32 bytes. The secret is the input key material of
 * HKDF-SHA256 (empty salt), expanded to 32 bytes twice with info 'nvf patient encryption v1' and 'nvf patient lookup v1'.
 * Throws an Error saying what is wrong (missing, length, encoding); the message never contains the secret.
 */
export function parsePatientKeys(value: string | undefined | null): PatientKeyMaterial {
  if (value === undefined || value === null || value.trim() === '')
    throw new Error(`The patient key is missing: set it to 64 hexadecimal characters or the base64 encoding of ${KEY_BYTES} random bytes.`);
  const s = value.trim();
  let secret: Buffer | null = null;
  if (s.length === 64 && HEX.test(s)) {
    secret = Buffer.from(s, 'hex');
  } else if (BASE64.test(s)) {
    const body = s.replace(/=+$/, '');
    const mixed = /[+/]/.test(body) && /[-_]/.test(body);
    if (mixed) throw new Error('The patient key mixes the standard (+/) and url-safe (-_) base64 alphabets; use one of them.');
    if (body.length % 4 === 1) throw new Error('The patient key is not valid base64 (its length is impossible for base64).');
    const decoded = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (decoded.length === KEY_BYTES) secret = decoded;
    else if (HEX.test(s))
      throw new Error(`The patient key is ${s.length} hexadecimal characters; a hexadecimal key must be exactly 64 characters (${KEY_BYTES} bytes).`);
    else throw new Error(`The patient key decodes (base64) to ${decoded.length} bytes; it must be exactly ${KEY_BYTES} bytes.`);
  }
  if (secret === null)
    throw new Error(`The patient key is neither hexadecimal nor base64: use 64 hexadecimal characters or the base64 encoding of ${KEY_BYTES} bytes.`);
  const ikm = secret;
  const derive = (info: string): Buffer => Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), Buffer.from(info, 'utf8'), KEY_BYTES));
  return { encryptionKey: derive(ENCRYPTION_KEY_INFO), lookupKey: derive(LOOKUP_KEY_INFO) };
}
