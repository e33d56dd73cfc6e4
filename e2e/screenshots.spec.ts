import path from 'node:path';
import { expect, test } from '@playwright/test';
import { waitForApp } from './helpers.js';

/** Full-page pictures of the main pages (desktop and 360 px) for a human to look at: test-results/e2e/screens/. */
const dir = path.resolve(import.meta.dirname, '..', 'test-results', 'e2e', 'screens');

for (const [name, width, height] of [
  ['desktop', 1280, 900],
  ['mobile', 360, 740],
] as const) {
  test(`screenshots of the start and directory pages (${name})`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/');
    await waitForApp(page);
    await page.screenshot({ path: path.join(dir, `start-${name}.png`), fullPage: true });
    await page.goto('/hitta-vard?region=25');
    await waitForApp(page);
    await expect(page.getByTestId('units-table')).toBeVisible();
    await expect(page.getByTestId('region-map').locator('svg').first()).toBeVisible();
    await page.screenshot({ path: path.join(dir, `directory-${name}.png`), fullPage: true });
  });

  test(`screenshots of the statistics and open-data pages (${name})`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/statistik');
    await waitForApp(page);
    // The figures, or the notice that the server has not computed a month yet.
    await expect(page.getByTestId('headline').or(page.getByText('Det finns ingen statistik ännu.', { exact: false }))).toBeVisible();
    await page.screenshot({ path: path.join(dir, `statistics-${name}.png`), fullPage: true });
    await page.goto('/oppen-data');
    await waitForApp(page);
    await expect(page.getByTestId('datasets')).toBeVisible();
    await page.screenshot({ path: path.join(dir, `open-data-${name}.png`), fullPage: true });
  });
}
