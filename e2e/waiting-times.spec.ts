import { expect, test } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

test.describe('Väntetider', () => {
  test('a patient finds knee replacement by typing "knä" and compares regions, map, chart and units', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Väntetider' }).click();
    await expect(page).toHaveURL(/\/vantetider$/);
    await expect(page.locator('h1')).toHaveText('Väntetider');
    await expect(page.getByText('Välj en typ av vård ovan för att se väntetiderna.')).toBeVisible();
    await expectNoA11yViolations(page);

    await page.getByLabel('Sök typ av vård').fill('knä');
    await expect(page.getByTestId('service-matches')).toHaveText(/typer? av vård matchar/);
    await page.getByRole('button', { name: 'Knäprotesoperation' }).click();
    await expect(page).toHaveURL(/[?&]service=knee-replacement/);
    await expect(page.getByRole('heading', { level: 2, name: 'Knäprotesoperation' })).toBeVisible();

    // National figures say what they are and how old they are.
    const national = page.getByTestId('national');
    await expect(national.getByText('Median väntetid, dagar')).toBeVisible();
    await expect(national.getByText(/uppgifter per \d{1,2} [a-z]{3}\.? \d{4}/)).toBeVisible();

    // Every region in the table, with figures; the map and the chart are labelled SVGs.
    const regions = page.getByTestId('wait-region-table');
    await expect(regions.locator('caption')).toHaveText(/Väntetid per region · uppgifter per/);
    await expect(regions.locator('tbody tr')).toHaveCount(21);
    await expect(regions.locator('tbody tr').filter({ hasText: /\d/ }).first()).toBeVisible();
    await expect(page.getByTestId('wait-map').locator('svg[aria-label]').last()).toBeVisible();
    await expect(page.getByTestId('wait-chart').locator('svg[aria-label]').last()).toBeVisible();

    // Hidden and stale figures are explained in plain Swedish, and the marks link there.
    const explanations = page.getByTestId('explanations');
    await expect(explanations.getByRole('heading', { name: 'Varför visas ”–”?' })).toBeVisible();
    await expect(explanations.getByText(/färre än fem patienter/)).toBeVisible();
    await expect(explanations.getByRole('heading', { name: 'Vad betyder ”inaktuell”?' })).toBeVisible();

    // The units of Norrbotten.
    await regions.getByRole('button', { name: 'Visa vårdenheter i Region Norrbotten' }).click();
    await expect(page).toHaveURL(/[?&]region=25/);
    await expect(page.getByRole('heading', { name: 'Vårdenheter i Region Norrbotten' })).toBeVisible();
    await expect(page.getByTestId('wait-unit-table').or(page.getByText('Ingen vårdenhet i regionen har uppgifter'))).toBeVisible();
    await expectNoA11yViolations(page);

    // The other statistical view.
    await page.getByLabel('Utan väntan som patienten valt', { exact: true }).check();
    await expect(page).toHaveURL(/[?&]view=excluding_pvv(&|$)/);
    await expect(regions.locator('tbody tr')).toHaveCount(21);
  });

  test('hidden figures show "–" linking to why; stale figures say "inaktuell"', async ({ page }) => {
    // Hand-made answer so both marks are certain to appear whatever the demo data holds.
    await page.route('**/api/v1/waiting-times?*', async (route) => {
      const base = { serviceId: 'knee-replacement', completedLast90Days: 40, medianCompletedWaitDays: 70, reportedExpectedWaitDays: null, dataAsOf: '2026-11-20' };
      await route.fulfill({
        json: {
          serviceId: 'knee-replacement', view: 'excluding_pvv_and_mov',
          items: [
            { ...base, level: 'national', regionCode: null, unitHsaId: null, unitName: null, waitingCount: 900, medianWaitedDays: 80, p90WaitedDays: 200, shareWithinGuarantee: 0.55, forecastWaitDays: 120, stale: false, suppressed: false },
            { ...base, level: 'region', regionCode: '25', unitHsaId: null, unitName: null, waitingCount: null, medianWaitedDays: null, p90WaitedDays: null, shareWithinGuarantee: null, forecastWaitDays: null, stale: false, suppressed: true },
            { ...base, level: 'region', regionCode: '01', unitHsaId: null, unitName: null, waitingCount: 300, medianWaitedDays: 60, p90WaitedDays: 150, shareWithinGuarantee: 0.7, forecastWaitDays: 90, stale: true, suppressed: false },
          ],
        },
      });
    });
    await page.goto('/vantetider?service=knee-replacement');
    await waitForApp(page);
    const regions = page.getByTestId('wait-region-table');
    const norrbotten = regions.getByRole('row', { name: /Region Norrbotten/ });
    await expect(norrbotten.getByRole('link', { name: 'dold uppgift, läs varför' }).first()).toHaveAttribute('href', '#om-dolda-uppgifter');
    await expect(norrbotten.getByRole('link', { name: 'dold uppgift, läs varför' }).first()).toHaveText('–');
    const stockholm = regions.getByRole('row', { name: /Region Stockholm/ });
    await expect(stockholm.getByRole('link', { name: 'inaktuell' })).toHaveAttribute('href', '#om-inaktuella-uppgifter');
    await expectNoA11yViolations(page);
  });

  test('works in English, and shows the error state when the figures cannot be loaded', async ({ page }) => {
    await page.goto('/waiting-times?service=knee-replacement');
    await waitForApp(page);
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Waiting times');
    await expect(page.getByRole('heading', { level: 2, name: 'Knee replacement' })).toBeVisible();
    await expect(page.getByTestId('wait-region-table').locator('caption')).toHaveText(/Waiting time by region · data as of/);
    await expect(page.getByRole('heading', { name: 'Why is there a “–”?' })).toBeVisible();
    await expectNoA11yViolations(page);

    await page.route('**/api/v1/waiting-times?*', (route) => route.fulfill({ status: 503, json: { title: 'Unavailable' } }));
    await page.getByRole('button', { name: 'Change type of care' }).click();
    await page.getByLabel('Search for a type of care').fill('knee');
    await page.getByRole('button', { name: 'Knee replacement' }).click();
    await expect(page.getByText('The waiting times could not be loaded. Try again in a while.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});
