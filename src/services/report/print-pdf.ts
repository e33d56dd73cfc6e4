import fs from 'node:fs';
import { AppError } from '../../domain/errors.js';

/** Where Debian/Ubuntu put Chromium; the e2e tests use the same browser (no browser download is possible here). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The launch flags of e2e/playwright.config.ts: headless Chromium without a sandbox, GPU or background network. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PrintOptions {
  /** path of the Chromium binary (default /usr/bin/chromium) */
  executablePath?: string;
  /** give up after this long (ms) */
  timeoutMs?: number;
}

function missingChromium(path: string, detail = ''): AppError {
  return new AppError(
    'unavailable',
    `Chromium is needed to print the PDF and was not found at ${path}${detail}. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to the browser's path.`,
  );
}

/**
 * Print a self-contained HTML document to an A4 PDF with headless Chromium (playwright-core). Page size, margins and
 * the running page numbers come from the document's own @page rules (CSS page-margin boxes, which Chromium supports),
 * so the HTML printed from a browser and this PDF look the same. Backgrounds (status colours) are printed.
 */
export async function printPdf(html: string, opts: PrintOptions = {}): Promise<Buffer> {
  const executablePath = opts.executablePath ?? DEFAULT_CHROMIUM;
  if (!fs.existsSync(executablePath)) throw missingChromium(executablePath);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new AppError('unavailable', 'The package playwright-core is needed to print the PDF and is not installed: run npm install (it comes with the development dependencies).');
  }
  const timeout = opts.timeoutMs ?? 60_000;
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout });
  } catch (err) {
    throw missingChromium(executablePath, ` (or it could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    // No network: the document is self-contained; anything it would fetch is refused.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false, tagged: true, outline: true });
  } finally {
    await browser.close();
  }
}

/** The number of pages of a PDF written by Chromium (each page is one /Type /Page object). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
