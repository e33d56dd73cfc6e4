import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

interface Anchors { items: { day: string; digest: string; events: number }[]; nextCursor: string | null }
interface Anchor { day: string; digest: string; heads: { chain: number; seq: number; hash: string }[] }

/**
 * "Om tjänsten" shows the audit log's published daily anchors (ADR 0017): the server takes the day's anchor when it
 * starts, the page lists the newest with the API's digests, and a day's heads give its digest as docs/audit.md says.
 */
test.describe('the audit log’s daily anchors on the about page', () => {
  test('lists the newest anchors as the API publishes them; a day’s heads give its digest', async ({ page, request }) => {
    let answer: Anchors = { items: [], nextCursor: null };
    await expect(async () => {
      answer = (await (await request.get('/api/v1/audit/anchors?limit=7')).json()) as Anchors;
      expect(answer.items.length).toBeGreaterThan(0);
    }).toPass({ timeout: 30_000 });

    await page.goto('/om');
    await waitForApp(page);
    const section = page.getByRole('region', { name: 'En logg som inte kan ändras i smyg' });
    await expect(section).toBeVisible();
    const table = section.getByTestId('audit-anchors');
    await expect(table.getByRole('caption')).toHaveText('De senaste dagliga ankarna för granskningsloggen');
    await expect(table.locator('tbody tr')).toHaveCount(answer.items.length);
    const first = table.locator('tbody tr').first();
    await expect(first.locator('time')).toHaveAttribute('datetime', answer.items[0]!.day);
    await expect(first.locator('code')).toHaveText(answer.items[0]!.digest);
    await expect(section.getByTestId('audit-anchors-all')).toHaveAttribute('href', '/api/v1/audit/anchors?limit=366');

    const day = (await (await request.get(`/api/v1/audit/anchors/${answer.items[0]!.day}`)).json()) as Anchor;
    const text = day.heads.map((h) => `${h.chain} ${h.seq} ${h.hash}\n`).join('');
    expect(crypto.createHash('sha256').update(text).digest('hex')).toBe(answer.items[0]!.digest);
    await expectNoA11yViolations(page);

    // narrow screen: the digest wraps inside the page instead of widening it
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.getByRole('region', { name: 'A log that cannot be changed quietly' }).getByRole('caption')).toHaveText('The latest daily anchors of the audit log');
    await expectNoA11yViolations(page);
  });
});
