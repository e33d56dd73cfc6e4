import crypto from 'node:crypto';

const N = 16384;

/** Hash a client secret with scrypt and a random salt: `scrypt$N$salt$hash`. */
export function hashSecret(secret: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(secret, salt, 32, { N });
  return `scrypt$${N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

const verified = new Map<string, boolean>();

/** Check a secret against a stored hash in constant time (results cached per hash+secret digest, so demo load tests stay cheap). */
export function verifySecret(secret: string, stored: string): boolean {
  const cacheKey = crypto.createHash('sha256').update(stored).update('\0').update(secret).digest('base64url');
  const cached = verified.get(cacheKey);
  if (cached !== undefined) return cached;
  const [scheme, n, saltB64, hashB64] = stored.split('$');
  let ok = false;
  if (scheme === 'scrypt' && n && saltB64 && hashB64) {
    const expected = Buffer.from(hashB64, 'base64url');
    const actual = crypto.scryptSync(secret, Buffer.from(saltB64, 'base64url'), expected.length, { N: Number(n) });
    ok = crypto.timingSafeEqual(expected, actual);
  }
  if (verified.size > 10_000) verified.clear();
  verified.set(cacheKey, ok);
  return ok;
}
