import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectNoA11yViolations, waitForApp } from './helpers.js';

/**
 * "Stöd och information": the support material in content/ rendered by the web, with search. Expected titles, dates and
 * owners are read from the Markdown files themselves, so the test follows the content when it is revised.
 */
const CONTENT = path.resolve(import.meta.dirname, '..', 'content');

function frontMatter(lang: 'sv' | 'en', slug: string): Record<string, string> {
  const text = fs.readFileSync(path.join(CONTENT, lang, `${slug}.md`), 'utf8');
  const block = /^---\n([\s\S]*?)\n---/.exec(text)![1]!;
  return Object.fromEntries(block.split('\n').map((l) => /^(\w+):\s*(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!.trim()]));
}
/** "26 nov. 2026" / "26 Nov 2026", as the app writes dates. */
const dateText = (iso: string, locale: string) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${iso}T12:00:00`));

async function noHorizontalScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal scroll on ${what}`).toBeLessThanOrEqual(0);
}

test.describe('support and information', () => {
  test('the index groups the pages by audience, lists the roadmap under Nationell färdplan, and is axe clean', async ({ page }) => {
    await page.goto('/stod');
    await waitForApp(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stöd och information');
    const patients = page.getByTestId('support-group-patient');
    await expect(patients.getByRole('heading', { level: 2 })).toHaveText('För patienter');
    await expect(patients.getByRole('link', { name: frontMatter('sv', 'om-vardgarantin-inte-halls').title })).toBeVisible();
    await expect(page.getByTestId('support-group-provider').getByRole('link', { name: frontMatter('sv', 'betalningsforbindelse').title })).toBeVisible();
    const roadmap = page.getByTestId('support-group-region');
    await expect(roadmap.getByRole('heading', { level: 2 })).toHaveText('Nationell färdplan');
    await expect(roadmap.getByRole('link', { name: frontMatter('sv', 'fardplan').title })).toHaveAttribute('href', '/stod/fardplan');
    // the main menu marks where we are
    await expect(page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Stöd och information' })).toHaveAttribute('aria-current', 'page');
    await expectNoA11yViolations(page);
  });

  test('search finds the IVO page, announces the result and marks the word; the result opens the section', async ({ page }) => {
    await page.goto('/stod');
    await waitForApp(page);
    const status = page.getByTestId('support-search-status');
    await expect(status).toHaveAttribute('aria-live', 'polite');
    await page.getByLabel('Sök i stödet').fill('IVO');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await expect(status).toHaveText(/sid(a|or) hittades för ”IVO”/);
    await expect(page).toHaveURL(/\/stod\?q=IVO$/);
    const results = page.getByTestId('support-results');
    const ivoTitle = frontMatter('sv', 'om-vardgarantin-inte-halls').title!;
    const first = results.getByRole('listitem').first();
    await expect(first.getByRole('link')).toHaveText(ivoTitle);
    await expect(first.locator('mark').first()).toHaveText(/^ivo$/i);
    await expectNoA11yViolations(page);

    await first.getByRole('link').click();
    await expect(page).toHaveURL(/\/stod\/om-vardgarantin-inte-halls#.*ivo/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(ivoTitle);
    await expect(page.getByRole('heading', { level: 2, name: /IVO/ })).toBeInViewport();

    // a word that is nowhere: said so, in the same live region
    await page.goto('/stod?q=xyzzyq');
    await expect(page.getByTestId('support-search-status')).toHaveText('Inga sidor hittades för ”xyzzyq”. Prova ett annat ord, eller bara början av ordet.');
    await expect(page.getByTestId('support-results')).toHaveCount(0);
  });

  test('an article shows its title, date of last review and owner, a table of contents and the body; axe clean and no sideways scroll at 360 px', async ({ page }) => {
    const meta = frontMatter('sv', 'fardplan');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto('/stod/fardplan');
    await waitForApp(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(meta.title!);
    await expect(page.getByTestId('support-article-meta')).toContainText(`Senast granskad ${dateText(meta.lastReviewed!, 'sv-SE')} av ${meta.owner}`);
    const toc = page.getByRole('navigation', { name: 'Innehåll på sidan' });
    await expect(toc).toBeVisible();
    const body = page.getByTestId('support-body');
    await expect(body.locator('h2').first()).toBeVisible();
    expect(await toc.getByRole('link').count()).toBe(await body.locator('h2').count());
    await expect(body.getByRole('region').first()).toBeVisible(); // a table, in its scrollable region
    await noHorizontalScroll(page, '/stod/fardplan at 360 px');
    await expectNoA11yViolations(page);
  });

  test('a link between support pages navigates in the app; the rights page and the footer lead to the support pages', async ({ page }) => {
    await page.goto('/dina-rattigheter');
    await waitForApp(page);
    const readMore = page.getByTestId('rights-read-more');
    await readMore.getByRole('link', { name: /Om vårdgarantin inte hålls/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(frontMatter('sv', 'om-vardgarantin-inte-halls').title!);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    // the page links to "Dina rättigheter" in its text
    await page.getByTestId('support-body').getByRole('link', { name: 'Dina rättigheter' }).first().click();
    await expect(page).toHaveURL(/\/stod\/dina-rattigheter$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(frontMatter('sv', 'dina-rattigheter').title!);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Stöd och information' }).click();
    await expect(page).toHaveURL(/\/stod$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stöd och information');
  });

  test('the language switch shows the English page and English search', async ({ page }) => {
    const sv = frontMatter('sv', 'resor-och-kostnader');
    const en = frontMatter('en', 'resor-och-kostnader');
    await page.goto('/stod/resor-och-kostnader');
    await waitForApp(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(sv.title!);
    await page.getByRole('button', { name: 'Change language to English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.title!);
    await expect(page.getByTestId('support-article-meta')).toContainText(`Last reviewed ${dateText(en.lastReviewed!, 'en-GB')} by ${en.owner}`);
    await expect(page.locator('article')).toHaveAttribute('lang', 'en');
    await expectNoA11yViolations(page);

    await page.goto('/support?q=IVO');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Support and information');
    await expect(page.getByTestId('support-search-status')).toHaveText(/pages? found for “IVO”/);
    await expect(page.getByTestId('support-results').getByRole('link').first()).toHaveText(frontMatter('en', 'om-vardgarantin-inte-halls').title!);
    await expectNoA11yViolations(page);
  });

  test('an unknown page says so and leads back to the list', async ({ page }) => {
    await page.goto('/stod/finns-inte-alls');
    await waitForApp(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sidan finns inte');
    await expect(page.getByRole('main').getByRole('link', { name: 'Allt stöd och all information' })).toHaveAttribute('href', '/stod');
  });
});
