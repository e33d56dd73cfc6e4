import { expect, test } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

test.describe('the shell on every page', () => {
  for (const [path, heading] of [
    ['/', 'Få vård i tid, även i en annan region'],
    ['/hitta-vard', 'Hitta vårdenheter'],
    ['/om', 'Om tjänsten'],
    ['/logga-in', 'Logga in som demoperson — endast för demo'],
    ['/finns-inte', 'Sidan finns inte'],
  ] as const) {
    test(`${path} has one h1, landmarks and no WCAG 2.1 AA violations`, async ({ page }) => {
      await page.goto(path);
      await waitForApp(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
      await expect(page.locator('main')).toHaveCount(1);
      await expect(page.locator('header')).toHaveCount(1);
      await expect(page.locator('footer')).toHaveCount(1);
      await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
      if (path === '/hitta-vard') await expect(page.getByTestId('units-table')).toBeVisible();
      if (path === '/logga-in') await expect(page.getByRole('button', { name: /^Logga in som / }).first()).toBeVisible();
      await expectNoA11yViolations(page);
    });
  }

  test('the start page explains the service, links onwards, and the skip link moves focus to main', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.getByText('90 dagar').first()).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Dina rättigheter' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Läs API-dokumentationen' })).toHaveAttribute('href', '/api/docs');
    await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Källor och licenser' })).toBeVisible();

    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Hoppa till huvudinnehållet' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
    // The next Tab goes into the main content, not back to the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);
  });

  test('the demo banner is shown in demo mode', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('demo-banner')).toHaveText(/Demodata — påhittade vårdenheter och patienter/);
  });

  test('the language switch changes lang and text, by keyboard, and is remembered', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    const toEnglish = page.getByRole('button', { name: 'Change language to English' });
    await expect(toEnglish).toHaveText('English');
    await toEnglish.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Get care in time, even in another region');
    await expect(page.getByTestId('demo-banner')).toHaveText(/Demo data — invented care units and patients/);
    await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeAttached();
    await expectNoA11yViolations(page);

    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Get care in time, even in another region');

    await page.getByRole('button', { name: 'Byt språk till svenska' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await expect(page.locator('h1')).toHaveText('Få vård i tid, även i en annan region');
  });

  test('navigation works in the app and the pages fit a 360 px wide screen', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/', '/hitta-vard', '/om', '/logga-in']) {
      await page.goto(path);
      await waitForApp(page);
      if (path === '/hitta-vard') await expect(page.getByTestId('units-table')).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal scroll on ${path} at 360 px`).toBeLessThanOrEqual(0);
    }
    await page.goto('/');
    // the menu is folded behind a button on a narrow screen; it opens, and a chosen page folds it again
    const menu = page.getByRole('navigation', { name: 'Huvudmeny' });
    const toggle = menu.getByRole('button', { name: 'Meny' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(menu.getByRole('link', { name: 'Om tjänsten' })).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(menu.getByRole('link', { name: 'Start' })).toBeVisible();
    await expectNoA11yViolations(page);
    await menu.getByRole('link', { name: 'Om tjänsten' }).click();
    await expect(page).toHaveURL(/\/om$/);
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.locator('h1')).toHaveText('Om tjänsten');
    await expect(page.locator('h1')).toBeFocused();
    await expect(page.getByRole('link', { name: 'GeoNames (geonames.org)' })).toBeVisible();
    await expect(page.getByText('CC BY 4.0').first()).toBeVisible();
    await expect(page.getByText('Natural Earth (naturalearthdata.com)')).toBeVisible();
    await page.goBack();
    await expect(page.locator('h1')).toHaveText('Få vård i tid, även i en annan region');
  });
});
