import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

/**
 * Journeys 3 and 4: the coordinator's work list and case, the provider's inbox, request and capacity editor.
 * Every test opens its own case (one worker, one server), with a fresh synthetic personnummer.
 */

const SERVICE = 'knee-replacement';
const HOME_MUNICIPALITY = '0180'; // Stockholm, region 01

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
  const check = (10 - (sum % 10)) % 10;
  return `${year}${ten.slice(2, 6)}-${serial}${check}`;
}

/** Demo login through the API: the cookie lands in the page's browser context. */
async function loginAs(page: Page, personId: string): Promise<void> {
  const res = await page.request.post('/auth/demo/login', { data: { personId } });
  expect(res.status(), `demo login as ${personId}`).toBeLessThan(300);
}

interface Option {
  rank: number;
  unit: { hsaId: string; name: string; organizationId: string; regionCode: string };
  capacityAvailable: boolean | null;
}

/** Two options outside the home region, with capacity, from two different organisations. */
function twoUnits(options: Option[]): [Option, Option] {
  const candidates = options.filter((o) => o.unit.regionCode !== '01' && o.capacityAvailable === true);
  const first = candidates[0];
  const second = candidates.find((o) => first && o.unit.organizationId !== first.unit.organizationId);
  if (!first || !second) throw new Error('the search found no two units of two organisations outside region 01 with capacity');
  return [first, second];
}

/** Open a case through the API (as the coordinator logged in on `request`) and find two units to ask. */
async function caseAndTwoUnits(request: APIRequestContext) {
  const today = swedishToday();
  const opened = await request.post('/api/v1/cases', {
    data: { serviceId: SERVICE, clockStart: addDays(today, -30), patient: { personnummer: personnummer(), name: 'Testa Testsson', homeMunicipality: HOME_MUNICIPALITY } },
  });
  expect(opened.status(), await opened.text()).toBe(201);
  const kase = (await opened.json()) as { id: string; version: number; deadline: string };
  const search = await request.get(`/api/v1/search?service=${SERVICE}&municipality=${HOME_MUNICIPALITY}&deadline=${kase.deadline}&limit=30`);
  expect(search.status()).toBe(200);
  const units = twoUnits(((await search.json()) as { options: Option[] }).options);
  return { kase, units };
}

async function sendRequest(request: APIRequestContext, caseId: string, unitHsaId: string): Promise<string> {
  const r = await request.post(`/api/v1/cases/${caseId}/requests`, { data: { unitHsaId } });
  expect(r.status(), await r.text()).toBe(201);
  return ((await r.json()) as { id: string }).id;
}

/** Open a case and send two requests through the API (as coordinator-01); for tests that start at the provider. */
async function caseWithTwoRequests(request: APIRequestContext) {
  const { kase, units } = await caseAndTwoUnits(request);
  const requestIds = [await sendRequest(request, kase.id, units[0].unit.hsaId), await sendRequest(request, kase.id, units[1].unit.hsaId)];
  return { kase, units, requestIds };
}

/** Open a case in the browser from scratch; returns its id. */
async function openCaseInBrowser(page: Page): Promise<string> {
  await page.goto('/arbetsyta/nytt-arende');
  await waitForApp(page);
  await expect(page.locator('h1')).toHaveText('Öppna ärende');
  await expect(page.locator('#nc-service option[value="knee-replacement"]')).toHaveCount(1);
  await page.getByLabel(/^Typ av vård/).selectOption(SERVICE);
  await page.getByLabel('Startdatum för vårdgarantin').fill(addDays(swedishToday(), -30));
  await page.getByLabel(/^Personnummer/).fill(personnummer());
  await page.getByLabel('Namn').fill('Tolvan Testsson');
  await page.getByLabel('Telefonnummer').fill('070-123 45 67');
  await expect(page.locator(`#nc-municipality option[value="${HOME_MUNICIPALITY}"]`)).toHaveCount(1);
  await page.getByLabel(/^Hemkommun/).selectOption(HOME_MUNICIPALITY);
  await page.getByRole('button', { name: 'Öppna ärendet' }).click();
  await expect(page).toHaveURL(/\/arbetsyta\/arenden\/[0-9a-f-]{36}$/);
  await expect(page.locator('h1')).toHaveText('Ärende: Knäprotesoperation');
  return page.url().split('/').pop() ?? '';
}

test.describe('workspace', () => {
  test('a whole case from search to completion with two providers', async ({ page }) => {
    test.setTimeout(90_000);
    await loginAs(page, 'coordinator-01');
    const caseId = await openCaseInBrowser(page);
    await expect(page.getByTestId('case-patient')).toContainText('Tolvan Testsson');
    await expect(page.getByTestId('case-status')).toHaveText('Öppet');

    // Search and choose two units of two organisations outside the home region.
    await page.getByRole('button', { name: 'Sök kapacitet' }).click();
    const table = page.getByTestId('options-table');
    await expect(table).toBeVisible();
    await expect(page.getByTestId('options-map').locator('svg')).toBeVisible();
    await expect(table).toContainText('Klarar');
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ hsa: tr.getAttribute('data-hsa-id') ?? '', org: tr.getAttribute('data-organization-id') ?? '', region: tr.getAttribute('data-region') ?? '', capacity: tr.getAttribute('data-capacity') })),
    );
    const candidates = rows.filter((r) => r.region !== '01' && r.capacity === 'true');
    const first = candidates[0]!;
    const second = candidates.find((r) => r.org !== first.org)!;
    expect(second, 'two organisations with capacity outside region 01').toBeTruthy();
    await table.locator(`tr[data-hsa-id="${first.hsa}"] input[type="checkbox"]`).check();
    await table.locator(`tr[data-hsa-id="${second.hsa}"] input[type="checkbox"]`).check();
    await expect(page.getByTestId('selected-count')).toHaveText('2 vårdenheter valda.');
    await page.getByRole('button', { name: 'Skicka förfrågan till 2 vårdenheter' }).click();
    await expect(page.getByText('2 förfrågningar är skickade.')).toBeVisible();
    const requests = page.getByTestId('requests-table');
    await expect(requests.locator('tbody tr')).toHaveCount(2);
    await expect(requests.locator('tbody tr[data-status="pending"]')).toHaveCount(2);
    const requestId = async (hsa: string) => (await requests.locator(`tr[data-hsa-id="${hsa}"]`).getAttribute('data-request-id')) ?? '';
    const firstRequest = await requestId(first.hsa);
    const secondRequest = await requestId(second.hsa);

    // The first unit's provider accepts with a date (no identity shown before the patient has chosen).
    await loginAs(page, `provider-${first.org}`);
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Inkorg');
    await page.getByTestId('inbox-table').locator(`tr[data-request-id="${firstRequest}"] a`).click();
    await expect(page.locator('h1')).toHaveText('Förfrågan: Knäprotesoperation');
    await expect(page.getByTestId('identity-hidden')).toBeVisible();
    await expect(page.getByTestId('request-patient')).not.toContainText('Tolvan');
    const offered = swedishToday();
    await page.getByLabel('Datum för besöket').fill(offered);
    await page.getByRole('button', { name: 'Acceptera' }).click();
    await expect(page.getByTestId('request-status')).toHaveText('Accepterad');

    // The second unit's provider declines with a reason: two clicks.
    await loginAs(page, `provider-${second.org}`);
    await page.goto(`/arbetsyta/forfragningar/${secondRequest}`);
    await waitForApp(page);
    await page.getByLabel('Saknar kapacitet').check();
    await page.getByRole('button', { name: 'Tacka nej' }).click();
    await expect(page.getByTestId('request-status')).toHaveText('Nej tack');

    // Back as the coordinator: both answers, the choice, booking and completion, and the timeline.
    await loginAs(page, 'coordinator-01');
    await page.goto(`/arbetsyta/arenden/${caseId}`);
    await waitForApp(page);
    await expect(requests.locator(`tr[data-request-id="${firstRequest}"]`)).toHaveAttribute('data-status', 'accepted');
    await expect(requests.locator(`tr[data-request-id="${secondRequest}"]`)).toHaveAttribute('data-status', 'declined');
    await expect(requests.locator(`tr[data-request-id="${secondRequest}"]`)).toContainText('Saknar kapacitet');
    await expect(page.getByTestId('case-status')).toHaveText('Erbjudande finns');
    await requests.locator(`tr[data-request-id="${firstRequest}"]`).getByRole('button', { name: /^Patienten väljer erbjudandet/ }).click();
    await expect(page.getByTestId('case-status')).toHaveText('Patienten har valt');
    await expect(page.getByLabel('Datum för besöket')).toHaveValue(offered);
    await page.getByRole('button', { name: 'Spara bokad tid' }).click();
    await expect(page.getByTestId('case-status')).toHaveText('Tid bokad');
    await page.getByLabel('Resultat').selectOption('treated');
    await page.getByRole('button', { name: 'Avsluta ärendet som genomfört' }).click();
    await expect(page.getByTestId('case-status')).toHaveText('Avslutat, vård given');

    const timeline = page.getByTestId('timeline');
    for (const action of ['case.open', 'request.send', 'request.accept', 'request.decline', 'case.choose', 'case.book', 'case.complete'])
      await expect(timeline.locator(`li[data-action="${action}"]`).first()).toBeVisible();
    await expect(timeline.locator('li[data-action="request.send"]')).toHaveCount(2);
  });

  test('work list, case with search results, inbox and capacity editor are accessible (sv and en)', async ({ page }) => {
    test.setTimeout(90_000);
    await loginAs(page, 'coordinator-01');
    const { kase, units, requestIds } = await caseWithTwoRequests(page.request);

    await page.goto('/arbetsyta/arbetslista');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Arbetslista');
    await expect(page.getByTestId('at-risk-table')).toBeVisible();
    await expect(page.getByTestId('cases-table').locator(`tr[data-case-id="${kase.id}"]`)).toBeVisible();
    await expectNoA11yViolations(page);

    // Filters live in the URL.
    await page.getByLabel('Typ av vård').selectOption(SERVICE);
    await expect(page).toHaveURL(/service=knee-replacement/);

    await page.goto(`/arbetsyta/arenden/${kase.id}`);
    await waitForApp(page);
    await page.getByRole('button', { name: 'Sök kapacitet' }).click();
    await expect(page.getByTestId('options-table')).toBeVisible();
    await expect(page.getByTestId('options-table')).toContainText('Redan tillfrågad');
    await expectNoA11yViolations(page);

    await loginAs(page, `provider-${units[0].unit.organizationId}`);
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    await expect(page.getByTestId('inbox-table').locator(`tr[data-request-id="${requestIds[0]}"]`)).toBeVisible();
    await expectNoA11yViolations(page);

    await page.goto('/arbetsyta/kapacitet');
    await waitForApp(page);
    await expect(page.getByTestId('capacity-table')).toBeVisible();
    await expect(page.getByTestId('capacity-editor')).toBeVisible();
    await expectNoA11yViolations(page);

    // The editor PUTs a new report.
    await page.getByTestId('capacity-table').locator('tbody tr').first().getByRole('button', { name: /^Rapportera/ }).click();
    await page.getByLabel('Väntetid för en ny patient, dagar').fill('33');
    await page.getByLabel('Platser per vecka för patienter från andra regioner').fill('4');
    await page.getByRole('button', { name: 'Skicka rapporten' }).click();
    await expect(page.getByTestId('capacity-saved')).toBeVisible();
    await expect(page.getByTestId('capacity-table').locator('tbody tr').first()).toContainText('33');

    // Once in English: the inbox and the case page.
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Inbox');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expectNoA11yViolations(page);
    await loginAs(page, 'coordinator-01');
    await page.goto(`/arbetsyta/arenden/${kase.id}`);
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Case: Knee replacement');
    await page.getByRole('button', { name: 'Search capacity' }).click();
    await expect(page.getByTestId('options-table')).toBeVisible();
    await expectNoA11yViolations(page);
  });

  test('the accept form can be filled and sent with the keyboard only', async ({ page }) => {
    await loginAs(page, 'coordinator-01');
    const { units, requestIds } = await caseWithTwoRequests(page.request);
    await loginAs(page, `provider-${units[0].unit.organizationId}`);
    // Tab from the top of the page to the date field and type the date. The order of the date field's parts follows
    // the browser's own locale (not the page's), so try the three orders a browser uses until the value is right.
    const today = swedishToday();
    const [y, m, d] = today.split('-') as [string, string, string];
    const orders: string[][] = [[m, d, y], [d, m, y], [y, m, d]];
    let filled = false;
    for (const order of orders) {
      await page.goto(`/arbetsyta/forfragningar/${requestIds[0]}`);
      await waitForApp(page);
      await expect(page.getByTestId('accept-form')).toBeVisible();
      await page.locator('body').focus();
      for (let i = 0; i < 60; i++) {
        if ((await page.evaluate(() => document.activeElement?.id)) === 'accept-date') break;
        await page.keyboard.press('Tab');
      }
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('accept-date');
      for (const part of order) {
        await page.keyboard.type(part);
        if (part.length === 4 && part !== order[order.length - 1]) await page.keyboard.press('ArrowRight');
      }
      if ((await page.locator('#accept-date').inputValue()) === today) {
        filled = true;
        break;
      }
    }
    expect(filled, 'the date could be typed into the date field').toBe(true);
    // Tab on (Chromium may first visit the rest of the date field's parts) to Accept, and press Enter.
    const accept = page.getByRole('button', { name: 'Acceptera' });
    for (let i = 0; i < 6 && !(await accept.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(accept).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('request-status')).toHaveText('Accepterad');
  });

  test('a date after the deadline is refused before submitting', async ({ page }) => {
    await loginAs(page, 'coordinator-01');
    const { kase, units, requestIds } = await caseWithTwoRequests(page.request);
    await loginAs(page, `provider-${units[1].unit.organizationId}`);
    await page.goto(`/arbetsyta/forfragningar/${requestIds[1]}`);
    await waitForApp(page);
    await page.getByLabel('Datum för besöket').fill(addDays(kase.deadline, 1));
    await expect(page.getByTestId('accept-date-problem')).toContainText('efter patientens sista dag');
    await page.getByRole('button', { name: 'Acceptera' }).click();
    await expect(page.getByTestId('request-status')).toHaveText('Väntar på svar');
  });

  test('the work list and the inbox are usable at 360 px', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 800 });
    await loginAs(page, 'coordinator-01');
    const { units, requestIds } = await caseWithTwoRequests(page.request);
    const noPageScroll = async () => {
      const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(scroll, 'no horizontal page scroll').toBeLessThanOrEqual(client);
    };

    await page.goto('/arbetsyta/arbetslista');
    await waitForApp(page);
    await expect(page.getByTestId('at-risk-table')).toBeVisible();
    await noPageScroll();
    // the main action is reachable without sideways scrolling (below the menu, which wraps to several rows at 360 px)
    const open = page.getByRole('link', { name: 'Öppna ett nytt ärende' });
    await open.scrollIntoViewIfNeeded();
    await expect(open).toBeInViewport();
    await noPageScroll();

    await loginAs(page, `provider-${units[0].unit.organizationId}`);
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    const row = page.getByTestId('inbox-table').locator(`tr[data-request-id="${requestIds[0]}"]`);
    await expect(row).toBeVisible();
    await noPageScroll();
    await row.locator('a').click();
    await expect(page.locator('h1')).toContainText('Förfrågan');
    await noPageScroll();
  });

  test('the inbox and the case page update without a reload', async ({ page, request }) => {
    test.setTimeout(60_000);
    // The coordinator works through its own API context; the browser is the provider, then the coordinator.
    const login = await request.post('/auth/demo/login', { data: { personId: 'coordinator-01' } });
    expect(login.status()).toBeLessThan(300);
    const { kase, units } = await caseAndTwoUnits(request);
    const org = units[0].unit.organizationId;
    await loginAs(page, `provider-${org}`);
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    await expect(page.getByTestId('inbox-table').or(page.getByText('Inga förfrågningar här just nu.'))).toBeVisible();
    const requestId = await sendRequest(request, kase.id, units[0].unit.hsaId);
    // Server-sent events when the stream answers, else a re-read every 15 seconds: either way within 20 s.
    await expect(page.getByTestId('inbox-table').locator(`tr[data-request-id="${requestId}"]`)).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('live-region')).toContainText('förfrågan', { timeout: 20_000 });

    // The coordinator's case page shows the provider's answer as it comes.
    await loginAs(page, 'coordinator-01');
    await page.goto(`/arbetsyta/arenden/${kase.id}`);
    await waitForApp(page);
    const row = page.getByTestId('requests-table').locator(`tr[data-request-id="${requestId}"]`);
    await expect(row).toHaveAttribute('data-status', 'pending');
    const provider = await page.context().browser()!.newContext({ baseURL: new URL(page.url()).origin });
    try {
      const p = provider.request;
      expect((await p.post('/auth/demo/login', { data: { personId: `provider-${org}` } })).status()).toBeLessThan(300);
      const read = await p.get(`/api/v1/requests/${requestId}`);
      const version = ((await read.json()) as { version: number }).version;
      const accepted = await p.post(`/api/v1/requests/${requestId}/accept`, { data: { offeredDate: swedishToday() }, headers: { 'if-match': `"v${version}"` } });
      expect(accepted.status(), await accepted.text()).toBe(200);
    } finally {
      await provider.close();
    }
    await expect(row).toHaveAttribute('data-status', 'accepted', { timeout: 20_000 });
    await expect(page.getByTestId('live-region')).toContainText('Accepterad');
  });

  test('the workspace says so when the role is missing, and links to the login', async ({ page }) => {
    await page.goto('/arbetsyta/inkorg');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveText('Du har inte behörighet till den här sidan');
    await expect(page.getByRole('main').getByRole('link', { name: 'Gå till inloggningen' })).toBeVisible();
    await loginAs(page, 'coordinator-01');
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Arbetsyta' }).click();
    await expect(page.locator('h1')).toHaveText('Arbetsyta');
  });
});
