import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

/**
 * The public statistics (/statistik) and open-data (/oppen-data) pages of issue 5. The expected figures are read from
 * the API in the same test and compared with what the page shows, so the tests follow whatever the demo data holds;
 * revision marks, hidden figures and the error state use hand-made answers so they are certain to appear.
 */

interface PublishedValue {
  indicatorId: string;
  period: string;
  view: string | null;
  guaranteeKind: string | null;
  regionCode: string | null;
  breakdown: string | null;
  breakdownValue: string | null;
  value: number | null;
  valueCount: number | null;
  numeratorCount: number | null;
  denominatorCount: number | null;
  suppressed: boolean;
  revision: number;
  revisedAt: string | null;
  firstPublished: { value: number | null; valueCount: number | null } | null;
}
interface Overview {
  period: string;
  regionCode: string | null;
  synthetic: boolean;
  revision: number;
  guarantee: { guaranteeKind: string; waitingCount: number | null; withinGuaranteeShare: number | null; suppressed: boolean }[];
  summary: { sv: string; en: string };
}
interface Brokering {
  period: string;
  casesOpenedCount: number | null;
  acceptanceRate: number | null;
  summary: { sv: string; en: string };
}
interface Series { items: PublishedValue[] }
interface Regions { period: string; items: PublishedValue[] }
interface Region { code: string; name: string; iso3166_2: string }
interface OpenData {
  changelogUrl: string;
  licence: { id: string; name: string; url: string };
  items: { id: string; title: { sv: string; en: string }; links: { csv: string; json: string; dictionary: string } }[];
  synthetic: boolean;
}

// Long journeys with several accessibility checks; the shared test machine can be slow.
test.describe.configure({ timeout: 90_000 });

const KIND = 'specialist_first_visit';
const VIEW = 'excluding_pvv_and_mov';

/** Text without any kind of space, so ICU's narrow or non-breaking spaces in "78,4 %" do not matter. */
const squash = (s: string | null) => (s ?? '').replace(/[\s\u00a0\u202f]/g, '');
const pct = (locale: string) => {
  const f = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (v: number | null) => (v === null ? '–' : f.format(v));
};
const num = (locale: string) => {
  const f = new Intl.NumberFormat(locale);
  return (v: number | null) => (v === null ? '–' : f.format(v));
};
function periodLabel(period: string, locale: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, m! - 1, 1)));
}

async function getJson<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(url);
  expect(res.status(), `${url} answers 200`).toBe(200);
  return (await res.json()) as T;
}

/** The first figure of a cell or card, squashed ("78,4%", "–"), without the revision mark. */
async function figureText(cell: Locator): Promise<string> {
  const text = await cell.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('[data-testid="revised-mark"]').forEach((r) => r.remove());
    return copy.textContent ?? '';
  });
  return squash(text);
}

/**
 * Hand-made statistics answers for September 2026: a revised national figure (revision 2, first published 50 %), a
 * hidden kind and a hidden region, brokering with a hidden outcome and negative days saved.
 */
async function mockStatistics(page: Page): Promise<void> {
  const period = '2026-09';
  const base = { indicatorId: 'within_guarantee_share', view: VIEW, guaranteeKind: KIND, breakdown: null, breakdownValue: null, valueCount: null };
  const row = (regionCode: string | null, value: number | null, rev = 1): PublishedValue => ({
    ...base, period, regionCode, value, numeratorCount: value === null ? null : Math.round(value * 200), denominatorCount: value === null ? null : 200,
    suppressed: value === null, revision: rev, revisedAt: rev > 1 ? '2026-11-24T03:00:00Z' : null, firstPublished: rev > 1 ? { value: 0.5, valueCount: null } : null,
  });
  await page.route('**/api/v1/stats/periods', (r) => r.fulfill({ json: { items: [{ period, revision: 2, computedAt: '2026-11-24T03:00:00Z' }], latest: period } }));
  await page.route('**/api/v1/stats/overview*', (r) =>
    r.fulfill({
      json: {
        period, view: VIEW, regionCode: null, computedAt: '2026-10-21T03:00:00Z', revision: 2, revisedAt: '2026-11-24T03:00:00Z', dataAsOf: '2026-10-20', synthetic: true,
        guarantee: [
          { guaranteeKind: KIND, waitingCount: 1234, withinGuaranteeShare: 0.784, medianWaitedDays: 41, p90WaitedDays: 120, completedCount: 300, completedWithinGuaranteeShare: 0.8, medianCompletedWaitDays: 50, suppressed: false },
          { guaranteeKind: 'treatment', waitingCount: null, withinGuaranteeShare: null, medianWaitedDays: null, p90WaitedDays: null, completedCount: null, completedWithinGuaranteeShare: null, medianCompletedWaitDays: null, suppressed: true },
        ],
        brokering: { casesOpenedCount: 40, requestsSentCount: 90, casesChosenCount: 30, casesCompletedCount: 20, medianDaysSaved: 35, suppressed: false },
        summary: { sv: 'I september 2026 väntade 78 % inom vårdgarantin.', en: 'In September 2026, 78% waited within the guarantee.' },
      },
    }),
  );
  await page.route('**/api/v1/stats/series*', (r) =>
    r.fulfill({ json: { indicatorId: 'within_guarantee_share', unit: 'share', kind: 'share', regionCode: null, view: VIEW, guaranteeKind: KIND, breakdown: null, breakdownValue: null, items: [{ ...row(null, 0.7), period: '2026-08' }, row(null, 0.784, 2)] } }),
  );
  await page.route('**/api/v1/stats/regions?*', (r) =>
    r.fulfill({ json: { indicatorId: 'within_guarantee_share', unit: 'share', kind: 'share', period, items: [row(null, 0.784, 2), row('01', 0.8), row('25', null)] } }),
  );
  await page.route('**/api/v1/stats/brokering*', (r) =>
    r.fulfill({
      json: {
        period, regionCode: null, computedAt: '2026-10-21T03:00:00Z', revision: 1, revisedAt: null, synthetic: true, casesOpenedCount: 40, requestsSentCount: 90, requestsDueCount: 80,
        requestsAnsweredInTimeCount: 72, answeredInTimeShare: 0.9, decidedCount: 85, acceptedCount: 50, acceptanceRate: 50 / 85, medianResponseHours: 20.5, casesChosenCount: 30,
        casesCompletedCount: 20, medianDaysSaved: -3, daysSavedBasisCount: 25, medianTravelDistanceKm: 120.4,
        outcomes: [{ ending: 'completed:treated', casesCount: 18 }, { ending: 'cancelled:other', casesCount: null }], suppressed: true,
        summary: { sv: 'I september 2026 öppnades 40 ärenden.', en: 'In September 2026, 40 cases were opened.' },
      },
    }),
  );
}

/** The server computes the statistics in the background after start-up (src/jobs/statistics.job.ts): wait for a month. */
async function waitForStatistics(request: APIRequestContext): Promise<void> {
  await expect
    .poll(async () => ((await (await request.get('/api/v1/stats/periods')).json()) as { latest: string | null }).latest, { timeout: 280_000, intervals: [2_000] })
    .not.toBeNull();
}

test.describe('Statistik', () => {
  test.beforeAll(async ({ request }) => {
    test.setTimeout(300_000);
    await waitForStatistics(request);
  });

  test('the start page leads to the statistics; headline figures and summaries come from the API', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Statistik' }).click();
    await expect(page).toHaveURL(/\/statistik$/);
    await expect(page.locator('h1')).toHaveText('Statistik');

    const overview = await getJson<Overview>(page, `/api/v1/stats/overview?view=${VIEW}`);
    const headline = page.getByTestId('headline');
    await expect(headline.getByRole('heading', { level: 2 })).toHaveText(`Hela landet, ${periodLabel(overview.period, 'sv-SE')}`);
    await expect(page.getByTestId('overview-summary')).toHaveText(overview.summary.sv);
    const p = pct('sv-SE');
    const n = num('sv-SE');
    expect(overview.guarantee.length).toBeGreaterThan(0);
    for (const g of overview.guarantee) {
      const card = page.getByTestId(`headline-${g.guaranteeKind}`);
      expect(await figureText(card.getByTestId('fig-within').locator('dd').first())).toBe(squash(p(g.withinGuaranteeShare)));
      expect(await figureText(card.getByTestId('fig-waiting').locator('dd').first())).toBe(squash(n(g.waitingCount)));
    }
    // Demo figures are labelled as made up.
    if (overview.synthetic) {
      await expect(page.getByTestId('synthetic-note')).toContainText('påhittade');
      await expect(headline.getByTestId('synthetic-tag')).toBeVisible();
    }

    // Brokering: the API's sentence and figures.
    const brokering = await getJson<Brokering>(page, '/api/v1/stats/brokering');
    await expect(page.getByTestId('brokering-summary')).toHaveText(brokering.summary.sv);
    expect(await figureText(page.getByTestId('fig-cases-opened').locator('dd').first())).toBe(squash(n(brokering.casesOpenedCount)));
    expect(await figureText(page.getByTestId('fig-acceptance').locator('dd').first())).toBe(squash(p(brokering.acceptanceRate)));

    // Every chart is a labelled SVG with a one-sentence summary.
    await expect(page.getByTestId('compliance-chart').locator('svg[aria-label]').last()).toBeVisible();
    await expect(page.getByTestId('compliance-summary')).toHaveText(/\S+\./);
    await expect(page.getByTestId('regions-summary')).toHaveText(/\S+\./);
    await expect(page.getByTestId('stats-map').locator('svg[aria-label]').last()).toBeVisible();
    await expectNoA11yViolations(page);
    // The open-data page is linked from the footer.
    await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Öppna data' })).toHaveAttribute('href', '/oppen-data');
  });

  test('filters live in the URL, change the figures, and survive a reload', async ({ page }) => {
    await page.goto('/statistik');
    await waitForApp(page);
    await expect(page.getByTestId('headline')).toBeVisible();

    const norrbotten = page.waitForResponse((r) => r.url().includes('/api/v1/stats/overview') && r.url().includes('region=25'));
    await page.getByLabel('Region', { exact: true }).selectOption('25');
    await expect(page).toHaveURL(/[?&]region=25(&|$)/);
    const answer = (await (await norrbotten).json()) as Overview;
    expect(answer.regionCode).toBe('25');
    await expect(page.getByTestId('headline').getByRole('heading', { level: 2 })).toHaveText(`Region Norrbotten, ${periodLabel(answer.period, 'sv-SE')}`);
    await expect(page.getByTestId('overview-summary')).toHaveText(answer.summary.sv);

    await page.getByLabel('Vårdgaranti i diagrammen').selectOption('treatment');
    await expect(page).toHaveURL(/[?&]kind=treatment(&|$)/);
    await page.getByLabel('Hur väntetiden räknas').selectOption('excluding_pvv');
    await expect(page).toHaveURL(/[?&]view=excluding_pvv(&|$)/);
    const series = await getJson<Series>(page, '/api/v1/stats/series?indicator=within_guarantee_share&region=25&view=excluding_pvv&guaranteeKind=treatment');
    await expect(page.getByTestId('compliance-table').locator('tbody tr')).toHaveCount(series.items.length);
    await expect(page.getByTestId('compliance').locator('p.hint').first()).toContainText('Operation eller annan behandling, Region Norrbotten');

    // A period from the list.
    const periods = await getJson<{ items: { period: string }[]; latest: string }>(page, '/api/v1/stats/periods');
    const older = periods.items.find((i) => i.period !== periods.latest);
    if (older) {
      await page.getByLabel('Månad', { exact: true }).selectOption(older.period);
      await expect(page).toHaveURL(new RegExp(`[?&]period=${older.period}(&|$)`));
      await expect(page.getByTestId('headline').getByRole('heading', { level: 2 })).toHaveText(`Region Norrbotten, ${periodLabel(older.period, 'sv-SE')}`);
    }

    // The URL is the state: a reload (or a shared link) shows the same view.
    await page.reload();
    await waitForApp(page);
    await expect(page.getByLabel('Region', { exact: true })).toHaveValue('25');
    await expect(page.getByLabel('Vårdgaranti i diagrammen')).toHaveValue('treatment');
    await expect(page.getByLabel('Hur väntetiden räknas')).toHaveValue('excluding_pvv');
    await expect(page.getByTestId('headline').getByRole('heading', { level: 2 })).toContainText('Region Norrbotten');

    // Choosing a region in the comparison table sets the filter too.
    await page.getByTestId('regions-table').getByRole('button', { name: 'Visa statistik för Region Stockholm' }).click();
    await expect(page).toHaveURL(/[?&]region=01(&|$)/);
    await expect(page.getByLabel('Region', { exact: true })).toHaveValue('01');
    await expectNoA11yViolations(page);
  });

  test('the tables have the same numbers as the charts and the API; the CSV download holds them too', async ({ page }) => {
    await page.goto('/statistik');
    await waitForApp(page);
    const p = pct('sv-SE');
    const regionsAnswer = await getJson<Regions>(page, `/api/v1/stats/regions?indicator=within_guarantee_share&view=${VIEW}&guaranteeKind=${KIND}`);
    const regions = (await getJson<{ items: Region[] }>(page, '/api/v1/regions')).items;
    const table = page.getByTestId('regions-table');
    await expect(table.locator('tbody tr')).toHaveCount(21);
    for (const item of regionsAnswer.items) {
      const row = table.locator(`tr[data-region="${item.regionCode ?? ''}"]`);
      expect(await figureText(row.getByTestId('cell-share')), `share of ${item.regionCode ?? 'the nation'}`).toBe(squash(p(item.value)));
    }
    // The bar chart: one bar per region with a visible figure, labelled with the table's figure.
    const shown = regionsAnswer.items.filter((i) => i.regionCode !== null && i.value !== null);
    const barLabels = await page.getByTestId('regions-chart').locator('g[aria-label="bar"] rect').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const expectedBars = shown.map((i) => `${regions.find((r) => r.code === i.regionCode)!.name}: ${p(i.value)}`);
    expect(barLabels.map(squash).sort()).toEqual(expectedBars.map(squash).sort());

    // The line chart's dots and the table under it.
    const series = await getJson<Series>(page, `/api/v1/stats/series?indicator=within_guarantee_share&view=${VIEW}&guaranteeKind=${KIND}`);
    expect(series.items.length).toBeGreaterThan(0);
    await page.getByTestId('compliance').getByText('Visa diagrammets uppgifter som tabell').click();
    const rows = page.getByTestId('compliance-table').locator('tbody tr');
    await expect(rows).toHaveCount(series.items.length);
    for (const item of series.items) {
      expect(await figureText(page.getByTestId('compliance-table').locator(`tr[data-period="${item.period}"]`).getByTestId('cell-share'))).toBe(squash(p(item.value)));
    }
    const dots = await page.getByTestId('compliance-chart').locator('g[aria-label="dot"] circle').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(dots.length).toBe(series.items.filter((i) => i.value !== null).length);
    for (const [i, item] of series.items.filter((x) => x.value !== null).entries()) expect(squash(dots[i]!)).toContain(squash(p(item.value)));

    // The CSV of the region table: a header with _count columns and one line per region and the nation.
    const href = await page.getByTestId('regions').getByTestId('download-csv').getAttribute('href');
    expect(href).toMatch(/^data:text\/csv;charset=utf-8,/);
    await expect(page.getByTestId('regions').getByTestId('download-csv')).toHaveText('Ladda ner data (CSV)');
    const csv = decodeURIComponent(href!.slice(href!.indexOf(',') + 1)).replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('period,region_code,region_name,view,guarantee_kind,within_guarantee_share,numerator_count,denominator_count,suppressed,revision,revised_at');
    expect(lines).toHaveLength(1 + 1 + 21);
    for (const item of regionsAnswer.items) {
      const line = lines.find((l) => l.split(',')[1] === (item.regionCode ?? ''));
      expect(line, `CSV line of ${item.regionCode ?? 'the nation'}`).toBeDefined();
      expect(line!.split(',')[5]).toBe(item.value === null ? '' : String(item.value));
    }
  });

  test('works in English at /statistics', async ({ page }) => {
    await page.goto('/statistics');
    await waitForApp(page);
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Statistics');
    const overview = await getJson<Overview>(page, `/api/v1/stats/overview?view=${VIEW}`);
    await expect(page.getByTestId('headline').getByRole('heading', { level: 2 })).toHaveText(`Whole country, ${periodLabel(overview.period, 'en-GB')}`);
    await expect(page.getByTestId('overview-summary')).toHaveText(overview.summary.en);
    await expect(page.getByRole('heading', { name: 'Share within the guarantee over time' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Why is there a “–”?' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Statistics' })).toHaveAttribute('aria-current', 'page');
    await expectNoA11yViolations(page);
  });

  test('a period without statistics says so; a failed answer offers to try again', async ({ page }) => {
    await page.goto('/statistik?period=2001-01');
    await waitForApp(page);
    await expect(page.getByText('Det finns ingen statistik för den här månaden ännu.').first()).toBeVisible();

    await page.route('**/api/v1/stats/overview*', (route) => route.fulfill({ status: 503, json: { title: 'Unavailable' } }));
    await page.goto('/statistik');
    await waitForApp(page);
    await expect(page.getByText('Statistiken kunde inte hämtas. Försök igen om en stund.')).toBeVisible();
    await page.unroute('**/api/v1/stats/overview*');
    await page.getByRole('button', { name: 'Försök igen' }).click();
    await expect(page.getByTestId('headline')).toBeVisible();
  });

  test('revised figures carry "r" with the date; hidden figures show "–" linking to why', async ({ page }) => {
    // Hand-made answers, so both marks are certain to appear whatever the demo data holds.
    await mockStatistics(page);
    await page.goto('/statistik');
    await waitForApp(page);
    const headline = page.getByTestId('headline');
    await expect(headline.getByRole('heading', { level: 2 })).toHaveText('Hela landet, september 2026');
    const first = headline.getByTestId(`headline-${KIND}`);
    await expect(first.getByTestId('fig-within').getByRole('link', { name: 'reviderad 2026-11-24' })).toHaveAttribute('href', '#om-reviderade-siffror');
    await expect(headline.getByTestId('revision-footnote')).toHaveText('r = reviderad 2026-11-24');
    const hidden = headline.getByTestId('headline-treatment').getByTestId('fig-within').getByRole('link', { name: 'dold siffra, läs varför' });
    await expect(hidden).toHaveText('–');
    await expect(hidden).toHaveAttribute('href', '#om-dolda-siffror');
    await expect(page.getByRole('heading', { name: 'Varför visas ”–”?' })).toBeVisible();
    await expect(page.getByText(/Den är inte noll/)).toBeVisible();

    // Region table: the hidden region has "–" and no bar; the revised nation has "r".
    const table = page.getByTestId('regions-table');
    await expect(table.locator('tr[data-region="25"]').getByTestId('cell-share')).toHaveText('–');
    await expect(table.locator('tr[data-region=""]').getByTestId('revised-mark')).toBeVisible();
    await expect(page.getByTestId('regions-chart').locator('g[aria-label="bar"] rect')).toHaveCount(1);

    // The first-published series can be shown beside the newest one; the choice is in the URL.
    await page.getByLabel('Visa också de först publicerade siffrorna').check();
    await expect(page).toHaveURL(/[?&]first=1(&|$)/);
    await expect(page.getByTestId('compliance').locator('figcaption')).toContainText('Streckad brun linje');
    await page.getByTestId('compliance').getByText('Visa diagrammets uppgifter som tabell').click();
    await expect(page.getByTestId('compliance-table').locator('tr[data-period="2026-09"]')).toContainText('50,0');

    // Brokering: negative days saved are a number; the outcomes table names each ending.
    await expect(page.getByTestId('fig-days-saved').locator('dd').first()).toHaveText(/^−3|^-3/);
    await expect(page.getByTestId('outcomes-table')).toContainText('Genomförd: patienten fick behandling');
    await expect(page.getByTestId('outcomes-table').getByRole('link', { name: 'dold siffra, läs varför' })).toHaveText('–');
    await expectNoA11yViolations(page);

    // Usable at 360 px: nothing but the scrollable tables is wider than the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    await expect(page.getByTestId('regions-chart').locator('svg').last()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });
});

test.describe('Öppna data', () => {
  test.beforeAll(async ({ request }) => {
    test.setTimeout(300_000);
    await waitForStatistics(request);
  });

  test('lists every dataset with licence and working CSV, JSON and dictionary links', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Öppna data' }).click();
    await expect(page).toHaveURL(/\/oppen-data$/);
    await expect(page.locator('h1')).toHaveText('Öppna data');
    const answer = await getJson<OpenData>(page, '/api/v1/open-data');
    expect(answer.items.length).toBeGreaterThan(0);
    // The browser tests run on the synthetic demo data: the list says so, and so does every dataset on the page.
    expect(answer.synthetic).toBe(true);
    const list = page.getByTestId('datasets');
    await expect(list.getByTestId('synthetic-tag')).toHaveCount(answer.items.length);
    await expect(list.locator(':scope > li')).toHaveCount(answer.items.length);
    await expect(page.getByText(`Alla datamängder har licensen ${answer.licence.name}.`)).toBeVisible();
    // The changelog the API links to is on this page.
    const changelog = new URL(answer.changelogUrl, 'http://x');
    if (changelog.pathname === '/oppen-data') await expect(page.locator(changelog.hash)).toBeVisible();
    await expect(page.getByTestId('changelog').locator('tbody tr')).not.toHaveCount(0);
    for (const d of answer.items) {
      const item = page.getByTestId(`dataset-${d.id}`);
      await expect(item.getByRole('heading', { level: 3 })).toContainText(d.title.sv);
      for (const [format, label] of [['csv', 'CSV'], ['json', 'JSON'], ['dictionary', 'Ordlista']] as const) {
        const link = item.getByRole('link', { name: `${label}: ${d.title.sv}` });
        const href = await link.getAttribute('href');
        expect(href).toBe(d.links[format]);
        const res = await page.request.get(href!);
        expect(res.status(), `${href} answers 200`).toBe(200);
        if (format === 'csv') expect(res.headers()['content-type']).toContain('text/csv');
        else expect(res.headers()['content-type']).toContain('json');
      }
    }
    await expectNoA11yViolations(page);

    await page.goto('/open-data');
    await waitForApp(page);
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('h1')).toHaveText('Open data');
    await expect(page.getByTestId(`dataset-${answer.items[0]!.id}`).getByRole('heading', { level: 3 })).toContainText(answer.items[0]!.title.en);
    await expectNoA11yViolations(page);
  });
});
