import crypto from 'node:crypto';

/**
 * The receiver's side of a webhook: check the `Nvf-Signature` header of a delivery before trusting it.
 *
 *   Nvf-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * Self-contained (node:crypto only) so that a receiver can copy it; docs/webhooks.md shows it in use. Check the raw
 * bytes as received, before parsing the JSON. Several v1 values may be present (during a secret rotation): one match is
 * enough.
 */

export type VerifyFailure = 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'timestamp_too_old' | 'timestamp_in_future' | 'missing_event_id' | 'event_id_mismatch' | 'replayed_event';

export type VerifyResult = { ok: true; eventId: string; timestamp: number } | { ok: false; reason: VerifyFailure };

export interface VerifyOptions {
  /** how far the signature's time may lie from now, in seconds (default 300) */
  toleranceSeconds?: number;
  /** the receiver's time (default: the system clock) */
  now?: Date;
  /**
   * Event ids already processed: a Set (the id is added on success) or a function that answers whether the id was seen
   * and records it (atomically, e.g. an INSERT … ON CONFLICT DO NOTHING in the receiver's database).
   */
  seen?: Set<string> | ((eventId: string) => boolean);
}

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v[0] : v;
}

/** HMAC-SHA256(secret, "<t>.<body>") in lower-case hex: what the platform sends as v1. */
export function webhookSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Verify one received webhook: the signature over the raw body, the time window, and that its event id is new. */
export function verifyWebhook(rawBody: string | Buffer, headers: HeaderBag, secret: string, opts: VerifyOptions = {}): VerifyResult {
  const tolerance = opts.toleranceSeconds ?? 300;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const value = header(headers, 'nvf-signature');
  if (!value) return { ok: false, reason: 'missing_signature' };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  if (t === undefined || v1.length === 0) return { ok: false, reason: 'malformed_signature' };
  const expected = Buffer.from(webhookSignature(secret, t, rawBody), 'hex');
  const match = v1.some((s) => crypto.timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!match) return { ok: false, reason: 'bad_signature' };
  // only now that the timestamp is known to be the sender's: is it fresh?
  if (now - t > tolerance) return { ok: false, reason: 'timestamp_too_old' };
  if (t - now > tolerance) return { ok: false, reason: 'timestamp_in_future' };
  // The id is taken from the signed body (a header alone could be changed by whoever replays the body).
  let eventId: string | undefined;
  try {
    const id = (JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')) as { id?: unknown }).id;
    if (typeof id === 'string' && id !== '') eventId = id;
  } catch {
    /* not JSON: no id */
  }
  if (!eventId) return { ok: false, reason: 'missing_event_id' };
  const given = header(headers, 'nvf-event-id');
  if (given !== undefined && given !== eventId) return { ok: false, reason: 'event_id_mismatch' };
  if (opts.seen instanceof Set) {
    if (opts.seen.has(eventId)) return { ok: false, reason: 'replayed_event' };
    opts.seen.add(eventId);
  } else if (typeof opts.seen === 'function' && opts.seen(eventId)) {
    return { ok: false, reason: 'replayed_event' };
  }
  return { ok: true, eventId, timestamp: t };
}
