import { expect, test } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

test.describe('demo login', () => {
  test('logs in as a coordinator, shows the name, and logs out', async ({ page }) => {
    await page.goto('/');
    await waitForApp(page);
    await page.getByRole('link', { name: 'Logga in', exact: true }).click();
    await expect(page).toHaveURL(/\/logga-in$/);
    await expect(page.locator('h1')).toHaveText('Logga in som demoperson — endast för demo');
    await expect(page.getByText('Det här är ingen riktig inloggning.')).toBeVisible();

    const coordinators = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Vårdsamordnare' }) });
    const first = coordinators.getByRole('button', { name: /^Logga in som / }).first();
    await expect(first).toBeVisible();
    const name = ((await first.textContent()) ?? '').replace(/^Logga in som /, '').trim();
    expect(name).not.toBe('');
    await first.click();

    const session = page.getByTestId('session');
    await expect(session).toContainText('Inloggad som');
    await expect(session).toContainText(name);
    await expect(page.getByText(`Du är inloggad som ${name}.`)).toBeVisible();
    await expectNoA11yViolations(page);

    // The session survives a reload (a cookie, re-read through /api/v1/me).
    await page.reload();
    await expect(page.getByTestId('session')).toContainText(name);
    const me = (await (await page.request.get('/api/v1/me')).json()) as { authenticated: boolean; roles: string[] };
    expect(me.authenticated).toBe(true);
    expect(me.roles).toContain('coordinator');

    await page.getByRole('button', { name: 'Logga ut' }).click();
    await expect(page.getByTestId('session')).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Logga in', exact: true })).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
    const after = (await (await page.request.get('/api/v1/me')).json()) as { authenticated: boolean };
    expect(after.authenticated).toBe(false);
  });
});
