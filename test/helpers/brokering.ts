import { sql } from 'kysely';
import { luhnCheckDigit } from '../../src/domain/luhn.js';
import type { TestApp } from './app.js';

let serial = 0;
/**
 * A valid, synthetic personnummer (12 digits with a hyphen) that no other call in this process returns:
 * birth dates from 1950 on, birth numbers 100–899, the Luhn check digit computed.
 */
export function freshPersonnummer(): string {
  const n = serial++;
  const day = new Date(Date.UTC(1950, 0, 1) + (Math.floor(n / 800) % 20000) * 86_400_000);
  const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
  const birthNumber = String(100 + (n % 800)).padStart(3, '0');
  const nine = `${ymd.slice(2)}${birthNumber}`;
  return `${ymd}-${birthNumber}${luhnCheckDigit(nine)}`;
}

export interface BrokeringFixture {
  serviceId: string;
  /** two active units outside region 01 offering the service, of two different organisations */
  unitA: { hsaId: string; organizationId: string };
  unitB: { hsaId: string; organizationId: string };
  /** an active unit that does not offer the service */
  otherUnit: string;
}

/** Pick a treatment service offered by two units of different organisations outside region 01 (the coordinator's). */
export async function brokeringFixture(t: TestApp): Promise<BrokeringFixture> {
  const rows = (await sql<{ service_id: string; hsa_id: string; organization_id: string }>`
    SELECT us.service_id, u.hsa_id, u.organization_id
      FROM unit_services us JOIN units u ON u.hsa_id = us.unit_hsa_id JOIN services s ON s.id = us.service_id
     WHERE u.active AND u.region_code <> '01' AND s.contact_type = 'treatment' AND s.active
     ORDER BY us.service_id, u.organization_id, u.hsa_id`.execute(t.database.db)).rows;
  for (const serviceId of new Set(rows.map((r) => r.service_id))) {
    const offering = rows.filter((r) => r.service_id === serviceId);
    const a = offering[0]!;
    const b = offering.find((r) => r.organization_id !== a.organization_id);
    if (!b) continue;
    const other = (await sql<{ hsa_id: string }>`
      SELECT u.hsa_id FROM units u WHERE u.active AND NOT EXISTS (SELECT 1 FROM unit_services us WHERE us.unit_hsa_id = u.hsa_id AND us.service_id = ${serviceId})
       ORDER BY u.hsa_id LIMIT 1`.execute(t.database.db)).rows[0]!;
    return { serviceId, unitA: { hsaId: a.hsa_id, organizationId: a.organization_id }, unitB: { hsaId: b.hsa_id, organizationId: b.organization_id }, otherUnit: other.hsa_id };
  }
  throw new Error('the demo directory has no treatment offered by two organisations outside region 01');
}
