/** An audit event as the chain hashes it (Patientdatalagen 4 kap 3 §; HSLF-FS 2016:40 4 kap 9 §: access is logged and checkable). */
export interface AuditRecord {
  id: string;
  /** the chain (ADR 0014); left out of the hashed text for chain 1, whose events were hashed before there were chains */
  chain?: number | undefined;
  /** the position in its chain, from 1 */
  seq: number;
  occurredAt: string;
  actorSubject: string;
  actorRoles: string[];
  actorRegionCode: string | null;
  actorOrganizationId: string | null;
  actorUnitHsaId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  outcome: 'success' | 'denied' | 'failure';
  requestId: string | null;
  patientRef: string | null;
  details: Record<string, unknown>;
}

/** JSON with object keys sorted at every level, so the same event always serialises to the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The number of audit chains (ADR 0014): audit_head has one row per chain, ids 1 to AUDIT_CHAINS. */
export const AUDIT_CHAINS = 64;

/** The hash a chain starts from: 'genesis' for chain 1 (the only chain before ADR 0014), 'genesis:n' for chain n. */
export const genesisOf = (chain: number): string => (chain === 1 ? 'genesis' : `genesis:${chain}`);

/** The text that is hashed for one link of the chain: the previous hash and the event. */
export function chainInput(prevHash: string, event: AuditRecord): string {
  return `${prevHash}\n${canonicalJson(event)}`;
}

/**
 * The hashed text of an event around its position in the chain, for a chain appended to by the database (ADR 0016):
 * `chainInput(prev, { ...event, seq })` is `${prev}\n${prefix}${seq}${suffix}`. "seq" is the last key of an event's
 * canonical JSON (every other key sorts before it), so the position is the last value.
 */
export function chainInputParts(event: Omit<AuditRecord, 'seq'>): { prefix: string; suffix: string } {
  const text = canonicalJson({ ...event, seq: 0 });
  if (!text.endsWith(',"seq":0}')) throw new Error('an audit event has a key that sorts after "seq"');
  return { prefix: text.slice(0, -2), suffix: '}' };
}

/** A chain's head: its last position (0 for an empty chain) and that event's hash (the genesis for an empty chain). */
export interface ChainHead {
  chain: number;
  seq: number;
  hash: string;
}

/**
 * The text an anchor's digest is the SHA-256 of (ADR 0017): one line "chain seq hash" per chain, chains 1 to 64 in
 * order, each line ending in a newline. Anyone holding an anchor's heads can recompute its digest with standard tools
 * (docs/audit.md).
 */
export function anchorText(heads: readonly ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => a.chain - b.chain);
  if (sorted.length !== AUDIT_CHAINS || sorted.some((h, i) => h.chain !== i + 1)) throw new Error(`an anchor names chains 1 to ${AUDIT_CHAINS}, each once`);
  return sorted.map((h) => `${h.chain} ${h.seq} ${h.hash}\n`).join('');
}

/** What the stored anchors say the chains hold (ADR 0017), for verify. */
export interface AnchorIndex {
  /** for each "chain:seq" an anchor names, the hash of the event there and the earliest anchor's day */
  expect: Map<string, { hash: string; day: string }>;
  /** for each chain, the longest an anchor says it was, and that anchor's day */
  longest: Map<number, { seq: number; day: string }>;
}

/**
 * Index anchors (oldest first) for verify, or name the first that cannot be true: an empty chain not at its genesis,
 * or a position another anchor gives another hash.
 */
export function anchorIndex(anchors: readonly { day: string; heads: readonly ChainHead[] }[]): AnchorIndex | { badAnchor: string } {
  const expect = new Map<string, { hash: string; day: string }>();
  const longest = new Map<number, { seq: number; day: string }>();
  for (const a of anchors) {
    for (const h of a.heads) {
      if (h.seq === 0) {
        if (h.hash !== genesisOf(h.chain)) return { badAnchor: a.day };
        continue;
      }
      const key = `${h.chain}:${h.seq}`;
      const earlier = expect.get(key);
      if (earlier === undefined) expect.set(key, { hash: h.hash, day: a.day });
      else if (earlier.hash !== h.hash) return { badAnchor: a.day };
      if ((longest.get(h.chain)?.seq ?? 0) < h.seq) longest.set(h.chain, { seq: h.seq, day: a.day });
    }
  }
  return { expect, longest };
}
