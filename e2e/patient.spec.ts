import { expect, test, type Page } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

/**
 * Journey 2: a patient learns her rights and asks for care elsewhere. The demo patient-1 lives in Luleå (2580, region
 * 25). A patient has at most one open request per service, so every test asks about a service of its own.
 */

/** Today in Sweden (the server's calendar), YYYY-MM-DD. */
function swedishToday(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
/** "26 nov. 2026" / "26 Nov 2026", as the app writes dates. */
function dateText(iso: string, locale = 'sv-SE'): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${iso}T12:00:00`));
}
/** About five months ago: the guarantee's 90 days have passed, so she may ask. */
const FIVE_MONTHS_AGO = () => addDays(swedishToday(), -150);

async function loginAs(page: Page, personId: string): Promise<void> {
  const res = await page.request.post('/auth/demo/login', { data: { personId } });
  expect(res.status(), `demo login as ${personId}`).toBeLessThan(300);
}

/** Type in the service search and pick the one service whose button has this name. */
async function pickService(page: Page, search: string, name: string): Promise<void> {
  await page.getByLabel('Sök typ av vård').fill(search);
  await page.getByRole('button', { name, exact: true }).click();
  await expect(page.getByTestId('chosen-service')).toContainText(name);
}

/**
 * Type a date into a focused date field with the keyboard. The field's order (year-month-day, day/month/year or
 * month/day/year) follows the browser's own language, so try each order until the field holds the date.
 */
async function typeDate(page: Page, field: ReturnType<Page['locator']>, iso: string): Promise<void> {
  const [y, m, d] = iso.split('-') as [string, string, string];
  for (const typed of [`${y}${m}${d}`, `${d}${m}${y}`, `${m}${d}${y}`]) {
    await field.fill('');
    await field.blur();
    await field.focus();
    await page.keyboard.type(typed);
    if ((await field.inputValue()) === iso) return;
  }
  throw new Error(`could not type ${iso} into the date field`);
}

async function noHorizontalScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal scroll on ${what}`).toBeLessThanOrEqual(0);
}

test.describe('patient: rights and care elsewhere', () => {
  test('from the rights page: log in, ask for care elsewhere, receipt, my cases, and the coordinator sees it as new', async ({ page }) => {
    test.setTimeout(60_000);
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Dina rättigheter' }).click();
    await expect(page).toHaveURL(/\/dina-rattigheter$/);
    await expect(page.locator('h1')).toHaveText('Dina rättigheter när du väntar på vård');
    await expect(page.locator('h1')).toBeFocused();
    await expect(page.getByRole('list', { name: 'Vårdgarantins fyra tidsgränser' }).getByRole('listitem')).toHaveCount(4);
    await expect(page.getByTestId('guarantee-limits')).toContainText('90 dagar');
    await expect(page.getByRole('heading', { name: 'Om vårdgarantin inte hålls' })).toBeVisible();
    await expect(page.getByText('Kontakta patientnämnden')).toBeVisible();
    await expect(page.getByText('Vänd dig till IVO')).toBeVisible();
    await expectNoA11yViolations(page);

    // Not logged in: the form page says why and leads to the demo login with the patients, then back.
    await page.getByRole('link', { name: 'Be om vård hos en annan vårdgivare' }).click();
    await expect(page).toHaveURL(/\/be-om-vard$/);
    await expect(page.locator('h1')).toHaveText('Be om vård hos en annan vårdgivare');
    await expect(page.getByText('Du behöver logga in')).toBeVisible();
    await page.getByRole('link', { name: 'Logga in som demopatient' }).click();
    await expect(page).toHaveURL(/\/logga-in\?roll=patient/);
    await expect(page.getByRole('button', { name: /^Logga in som / })).not.toHaveCount(0);
    await expect(page.getByRole('heading', { level: 2, name: 'Vårdsamordnare' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Logga in som Patient 1 (demo)' }).click();
    await expect(page).toHaveURL(/\/be-om-vard$/);
    await expect(page.getByTestId('ask-form')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina ärenden' })).toBeVisible();

    // Home is prefilled from where she lives (Luleå); the form passes axe before and after a failed try.
    await expect(page.getByLabel('Kommun där du bor')).toHaveValue('2580');
    await expectNoA11yViolations(page);
    await page.getByRole('button', { name: 'Skicka förfrågan' }).click();
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('error-service')).toHaveText('Välj vilken vård du väntar på.');
    await expect(page.getByTestId('error-clockStart')).toHaveText('Skriv datumet för remissen eller beslutet.');
    await expect(page.getByLabel('Datum för remissen eller beslutet')).toHaveAttribute('aria-invalid', 'true');
    await expectNoA11yViolations(page);

    await pickService(page, 'karpal', 'Operation av karpaltunnelsyndrom');
    const clockStart = FIVE_MONTHS_AGO();
    await page.getByLabel('Datum för remissen eller beslutet').fill(clockStart);
    await expect(page.getByTestId('error-clockStart')).toHaveCount(0);
    await page.getByLabel('Hur långt kan du resa? Antal kilometer').fill('400');
    const away = addDays(swedishToday(), 20);
    await page.getByLabel('Dagar du inte kan komma').fill(away);
    await page.getByRole('button', { name: 'Lägg till dag' }).click();
    await expect(page.getByTestId('unavailable-dates')).toContainText(dateText(away));
    await page.getByLabel('Behöver du tolk? Skriv vilket språk').fill('Finska');
    await page.getByLabel('Behöver du anpassningar?').fill('Rullstol');
    await page.getByLabel('Telefonnummer').fill('070-123 45 67');
    await page.getByLabel('Vill du berätta något mer?').fill('Jag kan resa med kort varsel.');
    await page.getByRole('button', { name: 'Skicka förfrågan' }).click();

    // The receipt: what happens next, the deadline (90 days after the decision), a reference.
    await expect(page).toHaveURL(/\/be-om-vard\/klart\/[0-9a-f-]{36}$/);
    const caseId = page.url().split('/').pop() ?? '';
    await expect(page.locator('h1')).toHaveText('Din förfrågan är skickad');
    await expect(page.getByTestId('receipt-service')).toHaveText('Operation av karpaltunnelsyndrom');
    await expect(page.getByTestId('receipt-next')).toContainText('Vårdgarantikansliet letar efter en mottagning');
    await expect(page.getByTestId('receipt-deadline')).toContainText(dateText(addDays(clockStart, 90)));
    await expect(page.getByTestId('receipt-deadline')).toContainText('Sista dagen var för');
    await expect(page.getByTestId('receipt-reference')).toHaveText(caseId.replace(/-/g, '').slice(0, 8).toUpperCase());
    await expectNoA11yViolations(page);

    // My cases lists it with the status in plain words.
    await page.getByRole('link', { name: 'Följ ditt ärende under Mina ärenden' }).click();
    await expect(page).toHaveURL(/\/mina-arenden$/);
    await expect(page.locator('h1')).toHaveText('Mina ärenden');
    const card = page.locator(`[data-case-id="${caseId}"]`);
    await expect(card).toBeVisible();
    await expect(card.getByRole('heading', { level: 2 })).toHaveText('Operation av karpaltunnelsyndrom');
    await expect(card.getByTestId('case-status-text')).toHaveText('Mottagen av din region');
    await expect(card).toContainText('Du bad själv om vård hos en annan vårdgivare');
    await expectNoA11yViolations(page);

    // Asking again for the same care: one open request per service, said in plain words.
    await page.goto('/be-om-vard');
    await pickService(page, 'karpal', 'Operation av karpaltunnelsyndrom');
    await page.getByLabel('Datum för remissen eller beslutet').fill(clockStart);
    await page.getByRole('button', { name: 'Skicka förfrågan' }).click();
    await expect(page.getByTestId('form-error')).toContainText('Du har redan en öppen förfrågan om den här vården.');

    // The home region's coordinator (Norrbotten) sees the case in the work list, marked new.
    await page.request.post('/auth/logout');
    await loginAs(page, 'coordinator-25');
    await page.goto('/arbetsyta/arbetslista');
    await waitForApp(page);
    const row = page.getByTestId('cases-table').locator(`tr[data-case-id="${caseId}"]`);
    await expect(row).toBeVisible();
    await expect(row.locator('.ws-new')).toHaveText('Ny');
  });

  test('too early: the form says from which date she can ask', async ({ page }) => {
    await loginAs(page, 'patient-1');
    await page.goto('/be-om-vard');
    await waitForApp(page);
    await pickService(page, 'grå starr', 'Operation av grå starr (katarakt)');

    // A date in the future is caught in the browser, next to the field.
    const date = page.getByLabel('Datum för remissen eller beslutet');
    await date.fill(addDays(swedishToday(), 3));
    await date.blur();
    await expect(page.getByTestId('error-clockStart')).toHaveText('Datumet kan inte vara senare än i dag.');

    // Ten days ago: the guarantee runs another 80 days, so the server says when she may ask (30 days before the end).
    const clockStart = addDays(swedishToday(), -10);
    await date.fill(clockStart);
    await page.getByRole('button', { name: 'Skicka förfrågan' }).click();
    const error = page.getByTestId('error-clockStart');
    await expect(error).toContainText('Det är för tidigt att be om vård hos en annan vårdgivare.');
    await expect(error).toContainText(`Din vårdgaranti gäller till ${dateText(addDays(clockStart, 90))}.`);
    await expect(error).toContainText(`Du kan be om det från ${dateText(addDays(clockStart, 60))}`);
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(date).toHaveAccessibleDescription(/Du kan be om det från/);
    await expect(page).toHaveURL(/\/be-om-vard$/);
    await expectNoA11yViolations(page);
  });

  test('the form works at 360 px and by keyboard alone', async ({ page }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width: 360, height: 740 });
    await loginAs(page, 'patient-1');
    await page.goto('/be-om-vard');
    await waitForApp(page);
    await expect(page.getByTestId('ask-form')).toBeVisible();
    await noHorizontalScroll(page, '/be-om-vard');

    // Tab from the top of the page to the service search.
    const search = page.getByLabel('Sök typ av vård');
    for (let i = 0; i < 40 && !(await search.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(search).toBeFocused();
    await page.keyboard.type('ljumsk');
    await expect(page.getByTestId('service-matches')).toHaveText('1 typ av vård matchar.');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Operation av ljumskbråck', exact: true })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('chosen-service')).toContainText('Operation av ljumskbråck');
    await expect(page.getByTestId('chosen-service')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Byt vård' })).toBeFocused();
    await page.keyboard.press('Tab');
    const date = page.getByLabel('Datum för remissen eller beslutet');
    await expect(date).toBeFocused();
    const clockStart = FIVE_MONTHS_AGO();
    await typeDate(page, date, clockStart);
    await expect(date).toHaveValue(clockStart);
    await expect(date).toBeFocused();
    // Tab walks through the date's own parts (day, month, year) before it leaves the field.
    const home = page.getByLabel('Kommun där du bor');
    for (let i = 0; i < 4 && !(await home.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(home).toBeFocused();
    await expect(home).toHaveValue('2580');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Hur långt kan du resa? Antal kilometer')).toBeFocused();
    await page.keyboard.type('250');
    // On to the submit button and send with Enter.
    const submit = page.getByRole('button', { name: 'Skicka förfrågan' });
    for (let i = 0; i < 20 && !(await submit.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(submit).toBeFocused();
    await noHorizontalScroll(page, '/be-om-vard (filled in)');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/be-om-vard\/klart\/[0-9a-f-]{36}$/);
    await expect(page.locator('h1')).toHaveText('Din förfrågan är skickad');
    await expect(page.locator('h1')).toBeFocused();
    await noHorizontalScroll(page, 'the receipt');
    await page.goto('/mina-arenden');
    await expect(page.getByTestId('my-cases')).toContainText('Operation av ljumskbråck');
    await noHorizontalScroll(page, '/mina-arenden');
  });

  test('in English: rights, form, receipt and my cases', async ({ page }) => {
    test.setTimeout(60_000);
    await page.addInitScript(() => window.localStorage.setItem('nvf.lang', 'en'));
    await page.goto('/your-rights');
    await waitForApp(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Your rights while you wait for care');
    await expect(page.getByRole('heading', { name: 'If the care guarantee is not kept' })).toBeVisible();
    await expectNoA11yViolations(page);

    await loginAs(page, 'patient-1');
    await page.goto('/ask-for-care');
    await expect(page.locator('h1')).toHaveText('Ask for care from another provider');
    await expect(page.getByTestId('ask-form')).toBeVisible();
    await expectNoA11yViolations(page);
    await page.getByLabel('Search for a type of care').fill('tonsil');
    await page.getByRole('button', { name: 'Tonsillectomy', exact: true }).click();
    await expect(page.getByTestId('chosen-service')).toContainText('Chosen care: Tonsillectomy');
    await page.getByLabel('Date of the referral or decision').fill(FIVE_MONTHS_AGO());
    await page.getByRole('button', { name: 'Send request' }).click();
    await expect(page.locator('h1')).toHaveText('Your request has been sent');
    await expect(page.getByTestId('receipt-next')).toContainText('The care guarantee office is looking for a clinic');
    await expectNoA11yViolations(page);

    await page.getByRole('link', { name: 'Follow your case under My cases' }).click();
    await expect(page.locator('h1')).toHaveText('My cases');
    await expect(page.getByTestId('my-cases').getByTestId('case-status-text').first()).toHaveText('Received by your region');
    await expectNoA11yViolations(page);
  });

  test('my cases: an error says what to do, and the list is read again when the page regains focus', async ({ page }) => {
    await loginAs(page, 'patient-2');
    let fail = true;
    await page.route('**/api/v1/patient/cases', (route) => (fail ? route.fulfill({ status: 503, json: { title: 'Unavailable' } }) : route.fallback()));
    await page.goto('/mina-arenden');
    await waitForApp(page);
    await expect(page.getByTestId('cases-error')).toContainText('Vi kunde inte hämta dina ärenden. Kontrollera din anslutning och försök igen.');
    fail = false;
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect(page.getByTestId('cases-error')).toHaveCount(0);
    await expect(page.getByTestId('cases-status')).toContainText('Uppdaterad');
    // patient-2 has asked for nothing here: either her list, or the empty state that leads to the form.
    const empty = page.getByTestId('cases-empty');
    if (await empty.isVisible()) await expect(empty.getByRole('link', { name: 'Be om vård hos en annan vårdgivare' })).toHaveAttribute('href', '/be-om-vard');
    await expectNoA11yViolations(page);
  });
});
