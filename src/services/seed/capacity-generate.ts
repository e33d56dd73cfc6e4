/**
 * Synthetic capacity reports for the demo: most unit + service pairs report an expected wait close to the unit's
 * real load (the same load the waiting-list generator uses), a weekly capacity for patients from other regions,
 * and whether they accept them. A few do not accept other regions, and a few reports are deliberately older than
 * 42 days so that the "stale" mark shows. Pure and deterministic from a seed.
 */
import { addDays } from '../../domain/calendar.js';
import { deriveSeed, mulberry32 } from '../../domain/random.js';
import type { UnitCapacityReport } from '../../domain/capacity.js';
import { medianWaitDays, type WaitingListDirectory } from './waiting-list-generate.js';

export interface SyntheticCapacityReport extends UnitCapacityReport {
  comment: string | null;
}

const REPORTING_SHARE = 0.85;
const STALE_SHARE = 0.06;
const CLOSED_SHARE = 0.08;

export function generateCapacityReports(dir: WaitingListDirectory, opts: { seed: number; today: string }): SyntheticCapacityReport[] {
  const rng = mulberry32(deriveSeed(opts.seed, 'capacity-reports'));
  const services = new Map(dir.services.map((s) => [s.id, s]));
  const out: SyntheticCapacityReport[] = [];
  for (const unit of [...dir.units].sort((a, b) => a.hsaId.localeCompare(b.hsaId))) {
    for (const serviceId of [...unit.serviceIds].sort()) {
      const service = services.get(serviceId);
      if (!service || !rng.chance(REPORTING_SHARE)) continue;
      const stale = rng.chance(STALE_SHARE);
      const accepts = !rng.chance(CLOSED_SHARE);
      const median = medianWaitDays(opts.seed, unit, service.contactType);
      const expectedWaitDays = Math.min(3650, Math.max(0, Math.round(median * (0.8 + 0.5 * rng.next()))));
      const primary = service.contactType === 'primary_assessment';
      out.push({
        unitHsaId: unit.hsaId,
        serviceId,
        validFrom: addDays(opts.today, -(stale ? rng.between(50, 150) : rng.between(0, 30))),
        expectedWaitDays,
        weeklyCapacityForOtherRegions: accepts ? (primary ? rng.between(5, 60) : rng.between(1, 25)) : 0,
        acceptsOtherRegions: accepts,
        comment: accepts ? null : 'Tar för närvarande inte emot patienter från andra regioner.',
      });
    }
  }
  return out;
}
