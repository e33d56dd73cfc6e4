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
}
