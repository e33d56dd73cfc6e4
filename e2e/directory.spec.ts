import { expect, test } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

test.describe('Hitta vårdenheter', () => {
  test('filters by region and service, shows results, the map and its table alternative', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('link', { name: 'Hitta vårdenheter' }).first().click();
    await expect(page).toHaveURL(/\/hitta-vard$/);
    await expect(page.locator('h1')).toHaveText('Hitta vårdenheter');

    // Unfiltered: the first page of units and a "Visa fler" button.
    const units = page.getByTestId('units-table');
    await expect(units).toBeVisible();
    await expect(page.getByTestId('results-status')).toHaveText(/Visar 50 vårdenheter\. Det finns fler\./);
    await expect(units.getByText('syntetisk').first()).toBeVisible();
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await expect(page.getByTestId('results-status')).toHaveText(/Visar 100 vårdenheter/);

    // The map is an SVG with a label, and the table beside it has every region with a count.
    const map = page.getByTestId('region-map');
    await expect(map.locator('svg[aria-label]').last()).toBeVisible();
    const regionTable = page.getByTestId('region-table');
    await expect(regionTable.locator('caption')).toHaveText('Antal vårdenheter per region');
    await expect(regionTable.locator('tbody tr')).toHaveCount(21);
    await expect(page.getByRole('heading', { name: 'Vårdenheter per region' })).toBeVisible();

    // Region filter: only units in Region Norrbotten; the URL says so.
    await page.getByLabel('Region', { exact: true }).selectOption({ label: 'Region Norrbotten' });
    await expect(page).toHaveURL(/[?&]region=25(&|$)/);
    await expect(page.getByTestId('results-status')).toHaveText(/^\s*Visar \d+ vårdenheter/);
    const regionCells = units.locator('tbody tr td:nth-child(3)');
    await expect(regionCells.first()).toHaveText('Region Norrbotten');
    expect(new Set(await regionCells.allTextContents())).toEqual(new Set(['Region Norrbotten']));

    // The municipality select now lists Norrbotten's municipalities.
    const municipality = page.getByLabel('Kommun');
    await expect(municipality).toBeEnabled();
    await expect(municipality.locator('option', { hasText: 'Luleå' })).toHaveCount(1);

    // Service filter: knee replacement; the map title and counts follow the service.
    await page.getByLabel('Typ av vård').selectOption({ label: 'Knäprotesoperation' });
    await expect(page).toHaveURL(/service=knee-replacement/);
    await expect(page.getByRole('heading', { name: 'Vårdenheter per region som ger Knäprotesoperation' })).toBeVisible();
    await expect(page.getByTestId('results-status')).toHaveText(/Visar \d+ vårdenhet/);
    const norrbotten = regionTable.getByRole('row', { name: /Region Norrbotten/ });
    const count = Number((await norrbotten.locator('td').textContent())?.replace(/\s/g, ''));
    await expect(units.locator('tbody tr')).toHaveCount(count);
    await expectNoA11yViolations(page);

    // Reloading keeps the filters (they live in the query string).
    await page.reload();
    await expect(page.getByLabel('Region', { exact: true })).toHaveValue('25');
    await expect(page.getByLabel('Typ av vård')).toHaveValue('knee-replacement');

    // Choosing a region in the map's table sets the filter too (the keyboard path instead of clicking the map).
    await regionTable.getByRole('button', { name: 'Visa vårdenheter i Region Skåne' }).click();
    await expect(page).toHaveURL(/region=12/);
    await expect(units.locator('tbody tr td:nth-child(3)').first()).toHaveText('Region Skåne');

    await page.getByRole('button', { name: 'Rensa filter' }).click();
    await expect(page).toHaveURL(/\/hitta-vard$/);
  });

  test('an empty result says what to do', async ({ page }) => {
    // Gotland has a single municipality; a service it does not offer gives an empty list.
    await page.goto('/hitta-vard?region=09&service=gastric-bypass');
    await waitForApp(page);
    const status = page.getByTestId('results-status');
    await expect(status).not.toHaveText(/Hämtar/);
    const text = (await status.textContent()) ?? '';
    if (/Inga vårdenheter/.test(text)) {
      await expect(status).toHaveText(/Välj en annan kommun eller typ av vård, eller rensa filtren/);
      await expectNoA11yViolations(page);
    }
  });

  test('the page works in English', async ({ page }) => {
    await page.goto('/hitta-vard?region=25');
    await waitForApp(page);
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('h1')).toHaveText('Find care units');
    await expect(page.getByTestId('units-table').locator('thead')).toContainText('Municipality');
    await expect(page.getByTestId('units-table').getByText('synthetic').first()).toBeVisible();
    await expect(page.getByLabel('Type of care').locator('option', { hasText: 'Knee replacement' })).toHaveCount(1);
    await expectNoA11yViolations(page);
  });
});
