/**
 * Backtest of forecastWaitDays (src/domain/forecast.ts; method in docs/methods/forecast.md).
 *
 *   npx tsx bench/forecast-backtest.ts [seed]
 *
 * Simulates 18 months (after a 90-day warm-up) of daily referrals and first-come-first-served treatment at units with
 * different loads (Poisson referrals and Poisson daily treatment capacity), forecasts every 7th day what a patient referred that day should expect — from what the platform would
 * have known that morning (patients waiting, completions in the last 90 days) — and compares with the waits the patients
 * actually referred that day had. Prints JSON: mean absolute error and bias (forecast − actual; positive = too pessimistic)
 * per unit and overall, beside a naive baseline (the median wait of those completed in the last 90 days).
 */
import { forecastWaitDays, THROUGHPUT_WINDOW_DAYS } from '../src/domain/forecast.js';
import { mulberry32, type Random } from '../src/domain/random.js';
import { median } from '../src/domain/statistics.js';

interface UnitModel {
  name: string;
  /** mean referrals per day */
  arrivals: (day: number) => number;
  /** mean treatments per day the unit can give */
  capacity: (day: number) => number;
  /** patients already waiting on day 0 */
  initialQueue: number;
}

const WARMUP = THROUGHPUT_WINDOW_DAYS;
const DAYS = 548; // 18 months
const STEP = 7;

/** Knuth's Poisson sampler (means here are small). */
function poisson(rng: Random, mean: number): number {
  if (mean <= 0) return 0;
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l);
  return k - 1;
}

const summer = (day: number) => {
  const doy = day % 365;
  return doy >= 180 && doy < 215; // five weeks of summer holidays
};

const UNITS: UnitModel[] = [
  { name: 'light load (ρ≈0.6)', arrivals: () => 3, capacity: () => 5, initialQueue: 10 },
  { name: 'busy (ρ≈0.85)', arrivals: () => 4.25, capacity: () => 5, initialQueue: 60 },
  { name: 'near capacity (ρ≈0.97)', arrivals: () => 2.9, capacity: () => 3, initialQueue: 150 },
  { name: 'overloaded (ρ≈1.1)', arrivals: () => 2.2, capacity: () => 2, initialQueue: 120 },
  { name: 'long queue, balanced (ρ=1)', arrivals: () => 1.5, capacity: () => 1.5, initialQueue: 300 },
  { name: 'summer closure (capacity ÷ 4 for 5 weeks)', arrivals: () => 4, capacity: (d) => (summer(d) ? 1.2 : 4.8), initialQueue: 80 },
  { name: 'capacity doubled after 9 months', arrivals: () => 3, capacity: (d) => (d < WARMUP + 270 ? 2.7 : 5.4), initialQueue: 200 },
  { name: 'small unit (ρ≈0.8)', arrivals: () => 0.4, capacity: () => 0.5, initialQueue: 8 },
];

interface Stats {
  n: number;
  mae: number;
  bias: number;
  baselineMae: number;
  baselineBias: number;
  skippedNoForecast: number;
  skippedCensored: number;
}

function simulate(unit: UnitModel, rng: Random): Stats {
  // The queue holds referral days; completions[d] lists the waits of patients treated on day d.
  const queue: number[] = Array.from({ length: unit.initialQueue }, (_, i) => -Math.round((i * 90) / Math.max(1, unit.initialQueue)));
  queue.sort((a, b) => a - b);
  let head = 0;
  const completedOn: { day: number; wait: number }[] = [];
  const referredOn = new Map<number, { start: number; end: number }>();
  const waitOf = new Map<number, number>(); // patient (queue index) → wait in days
  const snapshots = new Map<number, { q: number; c: number; baseline: number | undefined }>();
  const total = WARMUP + DAYS;
  for (let day = 0; day < total; day++) {
    if (day >= WARMUP && (day - WARMUP) % STEP === 0) {
      const recent = completedOn.filter((x) => x.day > day - 1 - THROUGHPUT_WINDOW_DAYS && x.day <= day - 1);
      snapshots.set(day, { q: queue.length - head, c: recent.length, baseline: median(recent.map((x) => x.wait)) });
    }
    const n = poisson(rng, unit.arrivals(day));
    const first = queue.length;
    for (let i = 0; i < n; i++) queue.push(day);
    referredOn.set(day, { start: first, end: queue.length });
    const served = Math.min(poisson(rng, unit.capacity(day)), queue.length - head);
    for (let i = 0; i < served; i++) {
      const wait = day - queue[head]!;
      waitOf.set(head, wait);
      completedOn.push({ day, wait });
      head++;
    }
  }
  const s: Stats = { n: 0, mae: 0, bias: 0, baselineMae: 0, baselineBias: 0, skippedNoForecast: 0, skippedCensored: 0 };
  for (const [day, snap] of snapshots) {
    const r = referredOn.get(day)!;
    if (r.end === r.start) continue; // nobody referred that day
    const waits: number[] = [];
    for (let i = r.start; i < r.end; i++) if (waitOf.has(i)) waits.push(waitOf.get(i)!);
    if (waits.length < r.end - r.start) {
      s.skippedCensored++;
      continue;
    }
    const forecast = forecastWaitDays({ waitingCount: snap.q, completedLast90Days: snap.c });
    if (forecast === null) {
      s.skippedNoForecast++;
      continue;
    }
    const actual = waits.reduce((a, b) => a + b, 0) / waits.length;
    const baseline = snap.baseline ?? 0;
    s.n++;
    s.mae += Math.abs(forecast - actual);
    s.bias += forecast - actual;
    s.baselineMae += Math.abs(baseline - actual);
    s.baselineBias += baseline - actual;
  }
  return s;
}

const round = (x: number) => Math.round(x * 10) / 10;

function main(): void {
  const seed = Number(process.argv[2] ?? 20261126);
  const rng = mulberry32(seed);
  const units = UNITS.map((u) => ({ unit: u.name, ...simulate(u, rng) }));
  const totals = units.reduce((t, u) => ({ n: t.n + u.n, mae: t.mae + u.mae, bias: t.bias + u.bias, baselineMae: t.baselineMae + u.baselineMae, baselineBias: t.baselineBias + u.baselineBias }), {
    n: 0, mae: 0, bias: 0, baselineMae: 0, baselineBias: 0,
  });
  const out = {
    seed,
    days: DAYS,
    forecastEveryDays: STEP,
    overall: {
      forecasts: totals.n,
      meanAbsoluteErrorDays: round(totals.mae / totals.n),
      biasDays: round(totals.bias / totals.n),
      baselineMedianCompletedWait: { meanAbsoluteErrorDays: round(totals.baselineMae / totals.n), biasDays: round(totals.baselineBias / totals.n) },
    },
    units: units.map((u) => ({
      unit: u.unit,
      forecasts: u.n,
      meanAbsoluteErrorDays: u.n ? round(u.mae / u.n) : null,
      biasDays: u.n ? round(u.bias / u.n) : null,
      baselineMeanAbsoluteErrorDays: u.n ? round(u.baselineMae / u.n) : null,
      baselineBiasDays: u.n ? round(u.baselineBias / u.n) : null,
      skippedNoForecast: u.skippedNoForecast,
      skippedCensored: u.skippedCensored,
    })),
  };
  console.log(JSON.stringify(out, null, 2));
}

main();
