import { describe, expect, it } from 'vitest';
import { chainInput, chainInputParts, type AuditRecord } from './audit.js';

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
