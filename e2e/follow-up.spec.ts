import { expect as baseExpect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

/** The statistics answers are computed (and suppressed) on first read after every change: allow them time. */
const SLOW = 240_000;
/** While the server computes them, other answers wait too: every expectation gets a minute. */
const expect = baseExpect.configure({ timeout: 60_000 });

/**
 * Journey 5 (the national coordination function's follow-up: scorecard, data quality, goal editor) and journey 4's
 * provider "Statistik". The expected figures are read from the API in the same session and compared with what the
 * page shows, so the test follows whatever the demo data holds.
 */

interface Goal {
  id: string;
  indicatorId: string;
  regionCode: string | null;
  view: string | null;
  guaranteeKinds: string[];
  comparator: 'gte' | 'lte' | 'eq';
  target: number;
  dueDate: string;
  title: { sv: string; en: string };
  active: boolean;
  version: number;
}
interface Result {
  goalId: string;
  value: number | null;
  target: number;
  met: boolean | null;
  status: 'met' | 'not_met' | 'not_assessed';
  trend: { period: string; value: number | null; met: boolean | null }[];
}
interface Scorecard {
  period: string;
  goals: Goal[];
  regions: { regionCode: string; regionName: string; results: Result[] }[];
  national: { results: Result[] };
}
interface Indicator {
  id: string;
  unit: string;
}

/** Today in Sweden (the server's calendar), YYYY-MM-DD. */
function swedishToday(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A valid (Luhn) synthetic personnummer, YYYYMMDD-NNNC, different for every call. */
function personnummer(): string {
  const year = 1940 + Math.floor(Math.random() * 60);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  const serial = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const ten = `${String(year).slice(2)}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${serial}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return `${year}${ten.slice(2, 6)}-${serial}${(10 - (sum % 10)) % 10}`;
}

async function loginAs(page: Page, personId: string): Promise<void> {
  const res = await page.request.post('/auth/demo/login', { timeout: SLOW, data: { personId } });
  expect(res.status(), `demo login as ${personId}`).toBeLessThan(300);
}

async function getJson<T>(request: APIRequestContext, path: string): Promise<T> {
  const res = await request.get(path, { timeout: SLOW });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return (await res.json()) as T;
}

/** The page's own formatting (sv-SE): shares as percent with at most one decimal. */
function formatValue(unit: string | undefined, value: number, lang: 'sv' | 'en' = 'sv'): string {
  const locale = lang === 'sv' ? 'sv-SE' : 'en-GB';
  if (unit === 'share') return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
  if (unit === 'flag') return value >= 1 ? (lang === 'sv' ? 'Ja' : 'Yes') : lang === 'sv' ? 'Nej' : 'No';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
}

/** The scorecard cell of a region (or 'national') and a goal. */
function cell(page: Page, region: string, goalId: string) {
  return page.getByTestId('fu-scorecard').locator(`tr[data-region="${region}"] [data-testid="fu-cell"][data-goal-id="${goalId}"]`);
}

/** Put a goal back as it was (through the API, as the analyst logged in on `request`). */
async function restoreGoal(request: APIRequestContext, original: Goal): Promise<void> {
  const now = (await getJson<{ items: Goal[] }>(request, '/api/v1/follow-up/goals')).items.find((g) => g.id === original.id);
  if (!now) return;
  const body = {
    indicatorId: original.indicatorId,
    ...(original.regionCode ? { regionCode: original.regionCode } : {}),
    ...(original.view ? { view: original.view } : {}),
    guaranteeKinds: original.guaranteeKinds,
    comparator: original.comparator,
    target: original.target,
    dueDate: original.dueDate,
    title: original.title,
    active: original.active,
  };
  const res = await request.put(`/api/v1/follow-up/goals/${original.id}`, { data: body, headers: { 'if-match': `"v${now.version}"` }, timeout: SLOW });
  expect(res.status(), await res.text()).toBe(200);
}

// The scorecard is a 22 × goals table checked cell by cell, recomputed after a goal change, and axe over it takes a
// while on a busy machine.
test.describe.configure({ timeout: 900_000 });

test.describe('follow-up (journey 5)', () => {
  test('the analyst sees the scorecard with the API’s values, changes a goal and sees the scorecard change', async ({ page }) => {
    await loginAs(page, 'analyst');
    const scorecard = await getJson<Scorecard>(page.request, '/api/v1/follow-up/scorecard');
    const indicators = (await getJson<{ items: Indicator[] }>(page.request, '/api/v1/stats/indicators')).items;
    const unitOf = new Map(indicators.map((i) => [i.id, i.unit]));
    expect(scorecard.goals.length).toBeGreaterThan(0);
    expect(scorecard.regions).toHaveLength(21);

    // The workspace link is in the main menu, and the workspace home leads to the follow-up.
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Arbetsyta' }).click();
    await page.getByRole('main').getByRole('link', { name: 'Uppföljning' }).click();
    await expect(page).toHaveURL(/\/arbetsyta\/uppfoljning$/);
    await expect(page.locator('h1')).toHaveText('Uppföljning');
    const table = page.getByTestId('fu-scorecard');
    await expect(table).toBeVisible({ timeout: SLOW });
    await expect(table.locator('tbody tr')).toHaveCount(22); // the whole country and 21 regions

    // Every cell carries the API's status as a word (not colour alone), and a value where the API has one.
    let checkedValues = 0;
    const rows = [{ key: 'national', results: scorecard.national.results }, ...scorecard.regions.map((r) => ({ key: r.regionCode, results: r.results }))];
    for (const row of rows) {
      for (const r of row.results) {
        const c = cell(page, row.key, r.goalId);
        await expect(c).toHaveAttribute('data-status', r.status);
        await expect(c).toContainText({ met: 'Uppfyllt', not_met: 'Ej uppfyllt', not_assessed: 'Ej bedömt' }[r.status]);
        const goal = scorecard.goals.find((g) => g.id === r.goalId);
        if (r.value !== null && goal) {
          await expect(c.locator('.fu-value')).toHaveText(formatValue(unitOf.get(goal.indicatorId), r.value));
          checkedValues++;
        }
      }
    }
    expect(checkedValues, 'the scorecard holds real values').toBeGreaterThan(0);
    await expect(page.getByTestId('fu-summary')).toContainText(/nådde regionerna \d+ av \d+ mål/);
    await expect(page.getByTestId('fu-data-quality').locator('tbody tr')).toHaveCount(21, { timeout: SLOW });
    await expectNoA11yViolations(page);

    // Pick an assessed cell and change its goal so that the cell's status must flip.
    const pick = rows.flatMap((row) => row.results.map((r) => ({ region: row.key, r }))).find((x) => x.r.status !== 'not_assessed' && x.r.value !== null && unitOf.get(scorecard.goals.find((g) => g.id === x.r.goalId)?.indicatorId ?? '') === 'share');
    expect(pick, 'an assessed share goal in the scorecard').toBeTruthy();
    if (!pick) return;
    const goal = scorecard.goals.find((g) => g.id === pick.r.goalId) as Goal;
    const original = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id) as Goal;
    // not met → "at least 0 %" is met by any value; met → "at most 0 %" (or "at least 100 %" for a value of 0) is not.
    const change = pick.r.status === 'not_met' ? { comparator: 'gte', target: '0', expect: 'met' } : pick.r.value === 0 ? { comparator: 'gte', target: '100', expect: 'not_met' } : { comparator: 'lte', target: '0', expect: 'not_met' };
    try {
      const goalsTable = page.getByTestId('fu-goals');
      await goalsTable.getByRole('button', { name: `Ändra målet ${goal.title.sv}` }).click();
      const form = page.getByTestId('fu-goal-form');
      await expect(form).toBeVisible();
      await expect(page.locator('#goal-indicatorId')).toBeFocused();
      await form.locator('#goal-comparator').selectOption(change.comparator);
      await form.locator('#goal-target').fill(change.target);
      await form.getByRole('button', { name: 'Spara målet' }).click();
      await expect(page.getByTestId('fu-goal-saved')).toContainText(`Målet ”${goal.title.sv}” är sparat.`);
      await expect(cell(page, pick.region, goal.id)).toHaveAttribute('data-status', change.expect, { timeout: SLOW });
      await expect(page.getByTestId(`fu-target-${goal.id}`)).toHaveText(`Mål: ${change.comparator === 'gte' ? 'minst' : 'högst'} ${formatValue('share', Number(change.target) / 100)}`);
      const saved = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id);
      expect(saved?.comparator).toBe(change.comparator);
      expect(saved?.target).toBe(Number(change.target) / 100);
      expect(saved?.version).toBeGreaterThan(original.version);
    } finally {
      await restoreGoal(page.request, original);
    }
  });

  test('a due date in the past gets a clear error next to the field; a stale version gets the reload message', async ({ page }) => {
    await loginAs(page, 'analyst');
    const goals = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items;
    const goal = goals[0] as Goal;
    await page.goto('/arbetsyta/uppfoljning');
    await waitForApp(page);
    await page.getByTestId('fu-goals').getByRole('button', { name: `Ändra målet ${goal.title.sv}` }).click();
    const form = page.getByTestId('fu-goal-form');
    await form.locator('#goal-dueDate').fill(addDays(swedishToday(), -30));
    await form.getByRole('button', { name: 'Spara målet' }).click();
    const error = page.getByTestId('goal-error-dueDate');
    await expect(error).toBeVisible();
    expect((await error.textContent())?.length ?? 0).toBeGreaterThan(10);
    await expect(form.locator('#goal-dueDate')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('#goal-dueDate')).toBeFocused();
    await expect(page.getByTestId('fu-goal-problem')).toContainText('Målet sparades inte.');
    await expectNoA11yViolations(page);
    // Nothing was saved.
    const after = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id);
    expect(after?.dueDate).toBe(goal.dueDate);
    expect(after?.version).toBe(goal.version);

    // Someone else saves the goal meanwhile: the form's version is stale and the page says to reload.
    await form.locator('#goal-dueDate').fill(goal.dueDate);
    await restoreGoal(page.request, goal);
    await form.getByRole('button', { name: 'Spara målet' }).click();
    await expect(page.getByTestId('fu-goal-conflict')).toContainText('Ladda om målen');
    await page.getByTestId('fu-goal-conflict').getByRole('button', { name: 'Ladda om målen' }).click();
    await expect(page.getByTestId('fu-goal-conflict')).toHaveCount(0);
    await page.getByTestId('fu-goal-form').getByRole('button', { name: 'Spara målet' }).click();
    await expect(page.getByTestId('fu-goal-saved')).toBeVisible({ timeout: SLOW });
  });

  test('right after a conflict, "Ladda om målen" shows the version saved meanwhile; a save then shows in the goals and the scorecard at once', async ({ page }) => {
    // All within the 5 seconds the browser may keep a public answer (the goals, the scorecard): what the page reads
    // after a conflict or a save must come from the server, not from the browser's copy.
    await loginAs(page, 'analyst');
    const indicators = (await getJson<{ items: { id: string; unit: string }[] }>(page.request, '/api/v1/stats/indicators')).items;
    const unitOf = new Map(indicators.map((i) => [i.id, i.unit]));
    const scorecard = await getJson<Scorecard>(page.request, '/api/v1/follow-up/scorecard');
    const goal = scorecard.goals.find((g) => unitOf.get(g.indicatorId) === 'share' && g.comparator !== 'eq') as Goal;
    expect(goal, 'a share goal on the scorecard').toBeTruthy();
    const original = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id) as Goal;
    const newTarget = original.target === 0.5 ? '60' : '50';
    try {
      await page.goto('/arbetsyta/uppfoljning');
      await waitForApp(page);
      await page.getByTestId('fu-goals').getByRole('button', { name: `Ändra målet ${goal.title.sv}` }).click();
      await restoreGoal(page.request, original); // someone else saves it: a new version
      const saved = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id)!;
      expect(saved.version).toBeGreaterThan(original.version);
      await page.getByTestId('fu-goal-form').getByRole('button', { name: 'Spara målet' }).click();
      await page.getByTestId('fu-goal-conflict').getByRole('button', { name: 'Ladda om målen' }).click();
      await expect(page.getByTestId('fu-goal-conflict')).toHaveCount(0);
      const form = page.getByTestId('fu-goal-form');
      await form.locator('#goal-target').fill(newTarget);
      await form.getByRole('button', { name: 'Spara målet' }).click();
      await expect(page.getByTestId('fu-goal-saved')).toContainText(`Målet ”${goal.title.sv}” är sparat.`);
      const after = (await getJson<{ items: Goal[] }>(page.request, '/api/v1/follow-up/goals')).items.find((g) => g.id === goal.id)!;
      expect(after.version).toBe(saved.version + 1);
      expect(after.target).toBe(Number(newTarget) / 100);
      const word = original.comparator === 'gte' ? 'minst' : 'högst';
      await expect(page.getByTestId(`fu-target-${goal.id}`)).toHaveText(`Mål: ${word} ${formatValue('share', Number(newTarget) / 100)}`);
    } finally {
      await restoreGoal(page.request, original);
    }
  });

  test('the period is in the address and the page works in English', async ({ page }) => {
    await loginAs(page, 'analyst');
    const periods = await getJson<{ items: { period: string }[]; latest: string | null }>(page.request, '/api/v1/stats/periods');
    await page.goto('/workspace/follow-up');
    await waitForApp(page);
    await expect(page.getByTestId('fu-scorecard')).toBeVisible({ timeout: SLOW });
    const older = periods.items[1]?.period;
    if (older) {
      await page.locator('#fu-period').selectOption(older);
      await expect(page).toHaveURL(new RegExp(`\\?period=${older}$`));
      await expect(page.getByTestId('fu-scorecard')).toBeVisible({ timeout: SLOW });
      const expected = await getJson<Scorecard>(page.request, `/api/v1/follow-up/scorecard?period=${older}`);
      await expect(page.getByTestId('fu-scorecard').locator('caption')).toContainText(new Intl.DateTimeFormat('sv-SE', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${older}-15T12:00:00Z`)));
      const first = expected.national.results[0];
      if (first) await expect(cell(page, 'national', first.goalId)).toHaveAttribute('data-status', first.status);
    }
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Follow-up');
    await expect(page.getByRole('heading', { level: 2, name: 'Goals by region' })).toBeVisible();
    await expect(page.getByTestId('fu-scorecard').locator('thead th').first()).toHaveText('Region');
    await expect(page.getByTestId('fu-scorecard').locator('tr[data-region="national"] th')).toHaveText('Whole country');
    await expect(page.getByTestId('fu-cell').first()).toContainText(/Met|Not met|Not assessed/);
    await expect(page.getByRole('heading', { level: 2, name: 'Data quality by region' })).toBeVisible();
    await expectNoA11yViolations(page);
  });

  test('a coordinator is told the follow-up is not for that role, and the API refuses too', async ({ page }) => {
    await loginAs(page, 'coordinator-01');
    await page.goto('/arbetsyta/uppfoljning');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Uppföljningen är bara för analytiker och administratörer');
    await expect(page.getByText('Du är inloggad med en roll som inte får se uppföljningen.')).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'Till arbetsytan' })).toBeVisible();
    await expect(page.getByTestId('fu-scorecard')).toHaveCount(0);
    expect((await page.request.get('/api/v1/follow-up/data-quality', { timeout: SLOW })).status()).toBe(403);
    await expectNoA11yViolations(page);
    // The coordinator's workspace home does not offer the follow-up.
    await page.goto('/arbetsyta');
    await expect(page.locator('h1')).toHaveText('Arbetsyta');
    await expect(page.getByRole('link', { name: 'Uppföljning' })).toHaveCount(0);
  });
});

test.describe('provider statistics (journey 4)', () => {
  test('a provider sees its units’ requests, answers and acceptance against the whole country', async ({ page }) => {
    // A coordinator sends a request to a unit outside region 01; its provider accepts it (this month's statistics).
    await loginAs(page, 'coordinator-01');
    const today = swedishToday();
    const opened = await page.request.post('/api/v1/cases', {
      timeout: SLOW,
      data: { serviceId: 'knee-replacement', clockStart: addDays(today, -30), patient: { personnummer: personnummer(), name: 'Testa Statistik', homeMunicipality: '0180' } },
    });
    expect(opened.status(), await opened.text()).toBe(201);
    const kase = (await opened.json()) as { id: string; deadline: string };
    const search = await getJson<{ options: { unit: { hsaId: string; organizationId: string; regionCode: string }; capacityAvailable: boolean | null }[] }>(
      page.request,
      `/api/v1/search?service=knee-replacement&municipality=0180&deadline=${kase.deadline}&limit=30`,
    );
    const option = search.options.find((o) => o.unit.regionCode !== '01' && o.capacityAvailable === true);
    expect(option, 'a unit outside region 01 with capacity').toBeTruthy();
    if (!option) return;
    const sent = await page.request.post(`/api/v1/cases/${kase.id}/requests`, { timeout: SLOW, data: { unitHsaId: option.unit.hsaId } });
    expect(sent.status(), await sent.text()).toBe(201);
    const requestId = ((await sent.json()) as { id: string }).id;

    await loginAs(page, `provider-${option.unit.organizationId}`);
    const accepted = await page.request.post(`/api/v1/requests/${requestId}/accept`, { timeout: SLOW, data: { offeredDate: addDays(today, 14) } });
    expect(accepted.status(), await accepted.text()).toBe(200);

    const stats = await getJson<{
      period: string;
      units: { unitHsaId: string; unitName: string; requestsReceivedCount: number; acceptedCount: number; acceptanceRate: number | null }[];
      organization: { requestsReceivedCount: number; answeredInTimeShare: number | null; acceptanceRate: number | null };
      national: { answeredInTimeShare: number | null; acceptanceRate: number | null };
    }>(page.request, '/api/v1/stats/provider');
    const unit = stats.units.find((u) => u.unitHsaId === option.unit.hsaId);
    expect(unit, 'the unit that received the request').toBeTruthy();
    expect(unit?.requestsReceivedCount).toBeGreaterThanOrEqual(1);
    expect(unit?.acceptedCount).toBeGreaterThanOrEqual(1);

    await page.goto('/arbetsyta');
    await waitForApp(page);
    await page.getByRole('main').getByRole('link', { name: 'Statistik för era enheter' }).click();
    await expect(page).toHaveURL(/\/arbetsyta\/statistik$/);
    await expect(page.locator('h1')).toHaveText('Statistik för era enheter');
    const row = page.getByTestId('ps-table').locator(`tr[data-row="${option.unit.hsaId}"]`);
    await expect(row.locator('th')).toHaveText(unit?.unitName ?? '');
    await expect(row.locator('td').first()).toHaveText(new Intl.NumberFormat('sv-SE').format(unit?.requestsReceivedCount ?? -1));
    const pct = (v: number | null) => (v === null ? '–' : new Intl.NumberFormat('sv-SE', { style: 'percent', maximumFractionDigits: 0 }).format(v));
    await expect(row.locator('td').nth(2)).toHaveText(pct(unit?.acceptanceRate ?? null));
    await expect(page.getByTestId('ps-table').locator('tr[data-row="national"] td').nth(2)).toHaveText(pct(stats.national.acceptanceRate));
    await expect(page.getByTestId('ps-summary')).toContainText(`tackade ja till ${pct(stats.organization.acceptanceRate)} (hela landet: ${pct(stats.national.acceptanceRate)})`);
    await expect(page.getByTestId('ps-chart').locator('svg')).toBeVisible();
    await expect(page.getByText('Demodata: siffrorna bygger på påhittade förfrågningar.')).toBeVisible();
    await expectNoA11yViolations(page);

    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('h1')).toHaveText('Statistics for your units');
    await expect(page.getByTestId('ps-summary')).toContainText('accepted');
    await expect(page.getByTestId('ps-table').locator('tr[data-row="national"] th')).toHaveText('Whole country');
  });

  test('an analyst is not shown the provider statistics page', async ({ page }) => {
    await loginAs(page, 'analyst');
    await page.goto('/arbetsyta/statistik');
    await waitForApp(page);
    await expect(page.getByTestId('ps-table')).toHaveCount(0);
    await expect(page.locator('h1')).not.toHaveText('Statistik för era enheter');
  });
});
