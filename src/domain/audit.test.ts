import { describe, expect, it } from 'vitest';
import { anchorIndex, chainInput, chainInputParts, type AuditRecord } from './audit.js';

const event: Omit<AuditRecord, 'seq'> = {
  id: '0b6f3f5e-8a43-4f0e-9a57-2f1d1f1c3e10',
  chain: 7,
  occurredAt: '2026-11-26T09:00:00.000Z',
  actorSubject: 'coordinator-01',
  actorRoles: ['coordinator'],
  actorRegionCode: '01',
  actorOrganizationId: null,
  actorUnitHsaId: null,
  action: 'request.accept',
  entityType: 'case',
  entityId: 'c1',
  outcome: 'success',
  requestId: 'req-1',
  patientRef: null,
  // nested keys named seq, and text that looks like the end of an event, do not move the split
  details: { seq: 99, note: ',"seq":0}', å: 'ö\n"' },
};

describe('chainInputParts (the database appends, ADR 0016)', () => {
  it('gives the hashed text of an event around its position, for any position and with chain 1 (no chain key)', () => {
    for (const e of [event, { ...event, chain: undefined }])
      for (const seq of [1, 9, 10, 12345678901]) {
        const { prefix, suffix } = chainInputParts(e);
        expect(`prev\n${prefix}${seq}${suffix}`).toBe(chainInput('prev', { ...e, seq }));
      }
  });
});

describe('anchorIndex (the daily anchors, ADR 0017)', () => {
  const day1 = { day: '2026-11-24', heads: [{ chain: 1, seq: 2, hash: 'a2' }, { chain: 2, seq: 0, hash: 'genesis:2' }] };
  const day2 = { day: '2026-11-25', heads: [{ chain: 1, seq: 2, hash: 'a2' }, { chain: 2, seq: 3, hash: 'b3' }] };

  it('keeps each anchored position with the earliest day naming it, and each chain’s longest anchored length', () => {
    const index = anchorIndex([day1, day2]);
    if ('badAnchor' in index) throw new Error(`unexpected ${index.badAnchor}`);
    expect([...index.expect]).toEqual([['1:2', { hash: 'a2', day: '2026-11-24' }], ['2:3', { hash: 'b3', day: '2026-11-25' }]]);
    expect([...index.longest]).toEqual([[1, { seq: 2, day: '2026-11-24' }], [2, { seq: 3, day: '2026-11-25' }]]);
  });

  it('names the anchor that cannot be true: an empty chain off its genesis, or a position another anchor hashes otherwise', () => {
    expect(anchorIndex([{ day: '2026-11-24', heads: [{ chain: 2, seq: 0, hash: 'genesis' }] }])).toEqual({ badAnchor: '2026-11-24' });
    expect(anchorIndex([day1, { day: '2026-11-25', heads: [{ chain: 1, seq: 2, hash: 'other' }] }])).toEqual({ badAnchor: '2026-11-25' });
  });
});
