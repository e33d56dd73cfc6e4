import { expect, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';

/** WCAG 2.1 A and AA rules: the level the Swedish accessibility law (DOS-lagen) requires. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Run axe on the page and fail with a readable list of what to fix. */
export async function expectNoA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n  ')}`);
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** Wait until the app has mounted and read the session (the header shows the language switch). */
export async function waitForApp(page: Page): Promise<void> {
  await expect(page.locator('h1')).toHaveCount(1);
  await expect(page.getByTestId('demo-banner')).toBeVisible();
}
