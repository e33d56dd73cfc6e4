import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPatientCrypto, ENCRYPTION_KEY_INFO, LOOKUP_KEY_INFO, parsePatientKeys } from '../src/services/patient-crypto.js';

const HEX_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const keys = parsePatientKeys(HEX_KEY);
const pc = createPatientCrypto(keys);
const PNR = '191212121212';

/** Replace one base64url character of a token part with another, so the decoded bytes change. */
function tamper(token: string, partIndex: number): string {
  const parts = token.split('.');
  const part = parts[partIndex]!;
  const c = part[0] === 'A' ? 'B' : 'A';
  parts[partIndex] = c + part.slice(1);
  return parts.join('.');
}

describe('patient identity encryption (AES-256-GCM, v1 tokens)', () => {
  it('round-trips, including non-ASCII text and the empty string', () => {
    for (const plain of [PNR, '19701063-2391', 'Åsa Öberg', '']) expect(pc.decrypt(pc.encrypt(plain))).toBe(plain);
  });

  it('writes a versioned compact token with a 12-byte IV and a 16-byte tag', () => {
    const token = pc.encrypt(PNR);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [, iv, ct, tag] = token.split('.');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ct!, 'base64url')).toHaveLength(12); // GCM is a stream mode: as long as the plaintext
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(token).not.toContain(PNR);
  });

  it('uses a fresh IV each time: two encryptions of the same value differ', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => pc.encrypt(PNR)));
    expect(tokens.size).toBe(50);
    const ivs = new Set([...tokens].map((t) => t.split('.')[1]));
    expect(ivs.size).toBe(50);
  });

  it.each([
    [1, 'IV'],
    [2, 'ciphertext'],
    [3, 'tag'],
  ])('refuses a token whose part %i (%s) was altered', (index) => {
    const token = pc.encrypt(PNR);
    expect(() => pc.decrypt(tamper(token, index))).toThrow(/authentication check failed/);
  });

  it('refuses a token relabelled with another version, truncated parts, or garbage', () => {
    const token = pc.encrypt(PNR);
    expect(() => pc.decrypt(token.replace(/^v1/, 'v2'))).toThrow(/unknown token version/);
    const [v, iv, ct, tag] = token.split('.');
    expect(() => pc.decrypt([v, iv, ct].join('.'))).toThrow(/four dot-separated parts/);
    expect(() => pc.decrypt([v, iv!.slice(0, 8), ct, tag].join('.'))).toThrow(/IV must be 12 bytes/);
    expect(() => pc.decrypt([v, iv, ct, tag!.slice(0, 10)].join('.'))).toThrow(/tag must be 16 bytes/);
    expect(() => pc.decrypt([v, iv, 'not base64!', tag].join('.'))).toThrow(/not base64url/);
    expect(() => pc.decrypt([v, iv, ct + 'AA', tag].join('.'))).toThrow(/authentication check failed/);
    expect(() => pc.decrypt('')).toThrow(/four dot-separated parts/);
  });

  it('refuses a token encrypted with another key', () => {
    const other = createPatientCrypto(parsePatientKeys(crypto.randomBytes(32).toString('base64')));
    expect(() => other.decrypt(pc.encrypt(PNR))).toThrow(/another key/);
    expect(other.decrypt(other.encrypt(PNR))).toBe(PNR);
  });

  it('lookupHash is HMAC-SHA256 in hex: stable, value-dependent and key-dependent', () => {
    const h = pc.lookupHash(PNR);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(pc.lookupHash(PNR)).toBe(h);
    expect(createPatientCrypto(parsePatientKeys(HEX_KEY)).lookupHash(PNR)).toBe(h);
    expect(h).toBe(crypto.createHmac('sha256', keys.lookupKey).update(PNR).digest('hex'));
    expect(pc.lookupHash('201701102384')).not.toBe(h);
    const other = createPatientCrypto(parsePatientKeys(HEX_KEY.replace(/^00/, '01')));
    expect(other.lookupHash(PNR)).not.toBe(h);
  });

  it('checks the key material', () => {
    expect(() => createPatientCrypto({ encryptionKey: Buffer.alloc(16), lookupKey: keys.lookupKey })).toThrow(/encryptionKey is 16 bytes/);
    expect(() => createPatientCrypto({ encryptionKey: keys.encryptionKey, lookupKey: 'x' as unknown as Buffer })).toThrow(/lookupKey must be a Buffer/);
    expect(() => createPatientCrypto({ encryptionKey: keys.lookupKey, lookupKey: keys.lookupKey })).toThrow(/must be different/);
  });
});

describe('parsePatientKeys (one secret → two keys with HKDF-SHA256)', () => {
  const raw = Buffer.from(HEX_KEY, 'hex');

  it('accepts 64 hex characters and the base64, base64url and unpadded forms of the same 32 bytes alike', () => {
    const forms = [HEX_KEY, HEX_KEY.toUpperCase(), ` ${HEX_KEY}\n`, raw.toString('base64'), raw.toString('base64url'), raw.toString('base64').replace(/=+$/, '')];
    for (const f of forms) {
      const k = parsePatientKeys(f);
      expect(k.encryptionKey.equals(keys.encryptionKey)).toBe(true);
      expect(k.lookupKey.equals(keys.lookupKey)).toBe(true);
    }
  });

  it('derives two different 32-byte keys with the documented info strings', () => {
    expect(keys.encryptionKey).toHaveLength(32);
    expect(keys.lookupKey).toHaveLength(32);
    expect(keys.encryptionKey.equals(keys.lookupKey)).toBe(false);
    expect(keys.encryptionKey.equals(raw)).toBe(false);
    const hkdf = (info: string) => Buffer.from(crypto.hkdfSync('sha256', raw, Buffer.alloc(0), info, 32));
    expect(keys.encryptionKey.equals(hkdf(ENCRYPTION_KEY_INFO))).toBe(true);
    expect(keys.lookupKey.equals(hkdf(LOOKUP_KEY_INFO))).toBe(true);
    expect(ENCRYPTION_KEY_INFO).toBe('nvf patient encryption v1');
    expect(LOOKUP_KEY_INFO).toBe('nvf patient lookup v1');
  });

  it.each([
    [undefined, /missing/],
    ['', /missing/],
    ['   ', /missing/],
    [HEX_KEY.slice(0, 62), /62 hexadecimal characters; a hexadecimal key must be exactly 64/],
    [HEX_KEY + 'ab', /66 hexadecimal characters/],
    [Buffer.alloc(16, 7).toString('base64'), /decodes \(base64\) to 16 bytes/],
    [Buffer.alloc(48, 7).toString('base64'), /decodes \(base64\) to 48 bytes/],
    ['this is not a key!', /neither hexadecimal nor base64/],
    ['ab+/cd-_' + 'A'.repeat(36), /mixes the standard/],
    ['A'.repeat(41), /impossible for base64/],
  ])('refuses %j', (value, message) => {
    expect(() => parsePatientKeys(value)).toThrow(message);
  });

  it('never puts the secret in its error messages', () => {
    const secret = Buffer.alloc(20, 9).toString('base64');
    try {
      parsePatientKeys(secret);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });
});
