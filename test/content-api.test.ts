import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorFor, foldForSearch, parseContentPage, renderMarkdown, safeHref, searchPages, searchTerms, snippetOf, type ContentPage,
} from '../src/domain/content.js';
import { CONTENT_DIR, ContentLibrary } from '../src/services/content.service.js';
import { sv } from '../web/src/i18n/sv.js';
import { en } from '../web/src/i18n/en.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

/** The elements the renderer writes; anything else in a page's HTML came from the source and was not escaped. */
const ALLOWED_TAGS = new Set(['p', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'code', 'pre', 'a', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'hr', 'br', 'input']);
const tagsOf = (html: string) => [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
const filesIn = (lang: string) => fs.readdirSync(path.join(CONTENT_DIR, lang)).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md');

function page(slug: string, title: string, body: string, over: Partial<ContentPage> = {}): ContentPage {
  const text = `---\ntitle: ${title}\nsummary: ${over.summary ?? 'En sammanfattning.'}\naudience: ${over.audience ?? 'patient'}\nowner: Ägaren\nlastReviewed: 2026-11-20\nslug: ${slug}\n---\n\n${body}\n`;
  return parseContentPage(text, over.lang ?? 'sv', slug);
}
const snippetText = (parts: { text: string; mark: boolean }[]) => parts.map((p) => (p.mark ? `[${p.text}]` : p.text)).join('');

describe('content: rendering (pure)', () => {
  it('escapes raw HTML instead of passing it through', () => {
    const { html } = renderMarkdown('Hej <script>alert(1)</script> och <b onclick="x()">fet</b>.\n\n<div>block</div>\n', 'sv');
    expect(html).not.toMatch(/<script|<b |<div>/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;div&gt;block&lt;/div&gt;');
  });

  it('keeps only safe links and points links between pages to the web', () => {
    const { html } = renderMarkdown('[a](./dina-rattigheter) [b](./fardplan.md#faser) [c](javascript:alert(1)) [d](https://www.ivo.se) [e](#top) [f](data:text/html,x) [g](/api/docs)', 'sv');
    expect(html).toContain('<a href="/stod/dina-rattigheter">a</a>');
    expect(html).toContain('<a href="/stod/fardplan#faser">b</a>');
    expect(html).not.toMatch(/javascript:|data:/);
    expect(html).toContain(' c ');
    expect(html).toContain('<a href="https://www.ivo.se" rel="noopener noreferrer">d</a>');
    expect(html).toContain('<a href="#top">e</a>');
    expect(html).toContain('<a href="/api/docs">g</a>');
    expect(safeHref('//evil.example/x')).toBeNull();
    expect(safeHref('../secret')).toBeNull();
  });

  it('gives headings unique readable ids and lists them for a table of contents', () => {
    const { html, headings, sections } = renderMarkdown('Inledning.\n\n## Så länge får du vänta\n\nText ett.\n\n### Detaljer\n\nMer.\n\n## Så länge får du vänta\n\nText två.', 'sv');
    expect(headings).toEqual([
      { id: 'sa-lange-far-du-vanta', text: 'Så länge får du vänta', level: 2 },
      { id: 'detaljer', text: 'Detaljer', level: 3 },
      { id: 'sa-lange-far-du-vanta-2', text: 'Så länge får du vänta', level: 2 },
    ]);
    expect(html).toContain('<h2 id="sa-lange-far-du-vanta">Så länge får du vänta</h2>');
    expect(html).toContain('<h2 id="sa-lange-far-du-vanta-2">');
    expect(sections.map((s) => [s.anchor, s.text])).toEqual([[null, 'Inledning.'], ['sa-lange-far-du-vanta', 'Text ett.'], ['detaljer', 'Mer.'], ['sa-lange-far-du-vanta-2', 'Text två.']]);
    expect(anchorFor('Idé & Överblick!')).toBe('ide-overblick');
    expect(anchorFor('???')).toBe('avsnitt');
  });

  it('wraps tables in a named, focusable region with column headers, and makes code blocks focusable', () => {
    const { html } = renderMarkdown('| Vad | Högst |\n| --- | --- |\n| Besök | 90 dagar |\n\n```sh\ncurl <x>\n```\n', 'sv');
    expect(html).toContain('<div class="md-table" role="region" tabindex="0" aria-label="Tabell: Vad, Högst"><table><thead><tr><th scope="col">Vad</th>');
    expect(html).toContain('<td>90 dagar</td>');
    expect(html).toContain('<pre tabindex="0"><code class="language-sh">curl &lt;x&gt;</code></pre>');
    expect(renderMarkdown('| A |\n| --- |\n| b |', 'en').html).toContain('aria-label="Table: A"');
  });

  it('refuses a file whose front matter is wrong, saying what is wrong', () => {
    expect(() => parseContentPage('no front matter', 'sv', 'x')).toThrow(/---/);
    expect(() => parseContentPage('---\ntitle: A\nsummary: B.\naudience: patient\nowner: C\nlastReviewed: 2026-11-20\nslug: y\n---\nText', 'sv', 'x')).toThrow(/slug y differs/);
    expect(() => parseContentPage('---\ntitle: A\nsummary: B.\naudience: everyone\nowner: C\nlastReviewed: 2026-11-20\nslug: x\n---\nText', 'sv', 'x')).toThrow(/audience/);
    expect(() => parseContentPage('---\ntitle: A\nsummary: B.\naudience: patient\nowner: C\nlastReviewed: 2026-02-30\nslug: x\n---\nText', 'sv', 'x')).toThrow(/lastReviewed/);
    expect(() => parseContentPage('---\ntitle: A\nsummary: B.\naudience: patient\nowner: \nlastReviewed: 2026-11-20\nslug: x\n---\nText', 'sv', 'x')).toThrow(/owner/);
    expect(() => parseContentPage('---\ntitle: A\nsummary: B.\naudience: patient\nowner: C\nlastReviewed: 2026-11-20\nslug: search\n---\nText', 'sv', 'search')).toThrow(/reserved/);
  });
});

describe('content: search (pure)', () => {
  it('folds case and other accents but keeps å, ä and ö as letters of their own, position for position', () => {
    expect(foldForSearch('Åsa ÄR Östra IDÉ Müller')).toBe('åsa är östra ide muller');
    for (const s of ['Åsa ÄR Östra IDÉ', 'İstanbul ﬁ', '😀 emoji']) expect(foldForSearch(s).length).toBe(s.length);
    expect(searchTerms('  Vård, VÅRD och vård!  ')).toEqual(['vård', 'och']);
  });

  const pages = [
    page('a-body', 'Resor', 'Du kan klaga hos IVO. IVO granskar vården. IVO igen.'),
    page('b-title', 'Vänd dig till IVO', 'Inget mer här.'),
    page('c-summary', 'Klagomål', 'Text utan ordet.', { summary: 'Om IVO och patientnämnden.' }),
    page('d-none', 'Vård', 'Vardag och varor, en avisering.'),
  ];

  it('ranks pages with the words in the title first, then summary or headings, then the body', () => {
    expect(searchPages(pages, 'ivo').map((h) => h.page.slug)).toEqual(['b-title', 'c-summary', 'a-body']);
  });

  it('matches the start of words, needs every word, and does not take a for å or ä', () => {
    expect(searchPages(pages, 'granska').map((h) => h.page.slug)).toEqual(['a-body']);
    expect(searchPages(pages, 'nämnden').map((h) => h.page.slug)).toEqual([]); // only "patientnämnden": not a word start
    expect(searchPages(pages, 'ivo granskar').map((h) => h.page.slug)).toEqual(['a-body']);
    expect(searchPages(pages, 'ivo saknas').map((h) => h.page.slug)).toEqual([]);
    expect(searchPages(pages, 'vard').map((h) => h.page.slug)).toEqual(['d-none']); // "Vardag", not "Vård" or "vården"
    expect(searchPages(pages, 'vård').map((h) => h.page.slug)).toEqual(['d-none', 'a-body']);
    expect(searchPages(pages, '!!!')).toEqual([]);
  });

  it('gives a snippet with every found word marked, and the section it comes from', () => {
    const [hit] = searchPages([page('x', 'X', '## Först\n\nIngenting.\n\n## Klagomål\n\nDu kan klaga hos IVO. IVO granskar.')], 'ivo');
    expect(hit!.anchor).toBe('klagomal');
    expect(snippetText(hit!.snippet)).toBe('Du kan klaga hos [IVO]. [IVO] granskar.');
    const long = `${'ord '.repeat(60)}träff här ${'mer '.repeat(80)}`.trim();
    const parts = snippetOf(long, [/(?<![\p{L}\p{N}])träff[\p{L}\p{N}]*/gu]);
    const text = snippetText(parts);
    expect(text.startsWith('… ord')).toBe(true);
    expect(text.endsWith('mer …')).toBe(true);
    expect(text).toContain('[träff] här');
    expect(text.length).toBeLessThan(200);
  });
});

describe('content: the files in content/', () => {
  const library = new ContentLibrary();

  it('are all read and rendered without a problem', () => {
    expect(library.problems).toEqual([]);
    expect(library.list('sv').length).toBe(filesIn('sv').length);
    expect(library.list('en').length).toBe(filesIn('en').length);
  });

  it('render to HTML with only the renderer’s own elements, and every heading has its id in the HTML', () => {
    for (const lang of ['sv', 'en'] as const) {
      for (const p of library.list(lang)) {
        const unknown = tagsOf(p.html).filter((t) => !ALLOWED_TAGS.has(t));
        expect(unknown, `${lang}/${p.slug}: elements not written by the renderer`).toEqual([]);
        expect(p.html, `${lang}/${p.slug}`).not.toMatch(/<h1|\son[a-z]+=|javascript:/i);
        for (const h of p.headings) expect(p.html, `${lang}/${p.slug}: heading ${h.id}`).toContain(`<h${h.level} id="${h.id}">`);
        expect(new Set(p.headings.map((h) => h.id)).size, `${lang}/${p.slug}: unique heading ids`).toBe(p.headings.length);
      }
    }
  });

  it('the web links to support pages that exist (the rights page links by slug)', () => {
    for (const [lang, messages] of [['sv', sv], ['en', en]] as const) {
      const slugs = new Set(library.list(lang).map((p) => p.slug));
      for (const l of messages.support.rightsLinks) expect(slugs.has(l.slug), `${lang}: /stod/${l.slug}`).toBe(true);
    }
  });

  it('a folder with a broken page leaves that page out and names it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-content-'));
    try {
      fs.mkdirSync(path.join(dir, 'sv'));
      fs.writeFileSync(path.join(dir, 'sv', 'bra.md'), '---\ntitle: Bra\nsummary: Bra.\naudience: all\nowner: O\nlastReviewed: 2026-11-20\nslug: bra\n---\n\nText.\n');
      fs.writeFileSync(path.join(dir, 'sv', 'trasig.md'), '---\ntitle: Trasig\n');
      const broken = new ContentLibrary(dir);
      expect(broken.list('sv').map((p) => p.slug)).toEqual(['bra']);
      expect(broken.list('en')).toEqual([]);
      expect(broken.problems).toEqual([expect.stringMatching(/^content\/sv\/trasig\.md: .*closing/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(targets)('content API on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('lists every page of a language with title, audience, summary, review date and owner; patients first', async () => {
    for (const lang of ['sv', 'en']) {
      const res = await get(`/api/v1/content?lang=${lang}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toMatch(/public/);
      const body = res.json() as { lang: string; items: { slug: string; title: string; audience: string; summary: string; reviewed: string; owner: string }[] };
      expect(body.lang).toBe(lang);
      expect(body.items.map((i) => i.slug).sort()).toEqual(filesIn(lang).map((f) => f.replace(/\.md$/, '')).sort());
      for (const i of body.items) {
        expect(i.title.length).toBeGreaterThan(0);
        expect(i.owner.length).toBeGreaterThan(0);
        expect(i.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      const order = body.items.map((i) => ['patient', 'provider', 'region', 'all'].indexOf(i.audience));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(body.items.find((i) => i.slug === 'fardplan')?.audience).toBe('region');
    }
    // Swedish is the default language
    expect((await get('/api/v1/content')).json().lang).toBe('sv');
  });

  it('gives a page with its HTML, headings, review date, owner and the other language', async () => {
    const res = await get('/api/v1/content/om-vardgarantin-inte-halls?lang=sv');
    expect(res.statusCode).toBe(200);
    const p = res.json() as { slug: string; title: string; html: string; headings: { id: string; text: string; level: number }[]; reviewed: string; owner: string; alternate: { lang: string; slug: string; title: string } | null };
    const source = fs.readFileSync(path.join(CONTENT_DIR, 'sv', 'om-vardgarantin-inte-halls.md'), 'utf8');
    expect(p.title).toBe(/^title: (.*)$/m.exec(source)![1]);
    expect(p.reviewed).toBe(/^lastReviewed: (.*)$/m.exec(source)![1]);
    expect(p.owner).toBe(/^owner: (.*)$/m.exec(source)![1]);
    expect(p.headings.map((h) => h.text)).toEqual([...source.matchAll(/^## (.*)$/gm)].map((m) => m[1]));
    expect(p.html).toContain('IVO');
    expect(p.html).toContain('href="/stod/dina-rattigheter"');
    expect(p.alternate).toEqual({ lang: 'en', slug: 'om-vardgarantin-inte-halls', title: 'If the care guarantee is not kept' });
    const en = (await get('/api/v1/content/om-vardgarantin-inte-halls?lang=en')).json() as { title: string; alternate: { lang: string } };
    expect(en.title).toBe('If the care guarantee is not kept');
    expect(en.alternate.lang).toBe('sv');
  });

  it('answers If-None-Match with 304 and needs no token', async () => {
    const first = await get('/api/v1/content/fardplan?lang=sv');
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"c[A-Za-z0-9_-]+"$/);
    const again = await get('/api/v1/content/fardplan?lang=sv', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/api/v1/content/fardplan?lang=sv', { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);
    expect((await get('/api/v1/content/fardplan?lang=en', { 'if-none-match': etag })).statusCode).toBe(200);
    const list = await get('/api/v1/content?lang=sv');
    expect((await get('/api/v1/content?lang=sv', { 'if-none-match': list.headers.etag as string })).statusCode).toBe(304);
  });

  it('says 404 for an unknown page and how to list the pages', async () => {
    const res = await get('/api/v1/content/finns-inte?lang=en');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().detail).toMatch(/finns-inte.*GET \/api\/v1\/content\?lang=en/);
  });

  it('refuses an unknown language, a malformed slug and a too short query with 400 naming the field', async () => {
    for (const url of ['/api/v1/content?lang=de', '/api/v1/content/fardplan?lang=SV', '/api/v1/content/search?q=ivo&lang=fi']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors[0].field, url).toBe('querystring.lang');
    }
    const slug = await get('/api/v1/content/Fard_plan');
    expect(slug.statusCode).toBe(400);
    expect(slug.json().detail).toMatch(/slug/);
    for (const q of ['', 'a', '%20%20i%20%20']) {
      const res = await get(`/api/v1/content/search?q=${q}`);
      expect(res.statusCode, `q=${q}`).toBe(400);
      expect(res.json().detail).toMatch(/at least 2 characters/);
    }
    expect((await get(`/api/v1/content/search?q=${'x'.repeat(101)}`)).statusCode).toBe(400);
  });

  it('search finds the IVO page first, with the section and the word marked', async () => {
    const res = await get('/api/v1/content/search?q=ivo&lang=sv');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { query: string; items: { slug: string; anchor: string | null; snippet: { text: string; mark: boolean }[] }[] };
    expect(body.query).toBe('ivo');
    expect(body.items[0]!.slug).toBe('om-vardgarantin-inte-halls');
    const ivoHeading = (await get('/api/v1/content/om-vardgarantin-inte-halls')).json().headings.find((h: { text: string }) => /IVO/.test(h.text));
    expect(body.items[0]!.anchor).toBe(ivoHeading.id);
    expect(body.items[0]!.snippet.filter((s) => s.mark).map((s) => s.text.toLowerCase())).toContain('ivo');
    expect(res.headers.etag).toBeDefined();
  });

  it('search ranks pages with the word in the title above pages with it only in the text', async () => {
    const library = new ContentLibrary();
    for (const [lang, q] of [['sv', 'betalningsförbindelse'], ['en', 'payment commitment'], ['sv', 'annan vårdgivare']] as const) {
      const items = ((await get(`/api/v1/content/search?q=${encodeURIComponent(q)}&lang=${lang}`)).json() as { items: { slug: string; title: string }[] }).items;
      expect(items.length, q).toBeGreaterThan(1);
      const terms = searchTerms(q);
      const inTitle = items.map((i) => terms.filter((term) => new RegExp(`(?<![\\p{L}\\p{N}])${term}`, 'u').test(foldForSearch(i.title))).length);
      expect(inTitle, `${q}: title matches, best first`).toEqual([...inTitle].sort((a, b) => b - a));
      expect(inTitle[0], q).toBe(terms.length);
      expect(inTitle.at(-1), q).toBeLessThan(terms.length);
      // the same answer as the library gives directly (the route adds nothing of its own)
      expect(items.map((i) => i.slug)).toEqual(library.search(lang, q).items.map((i) => i.slug));
    }
  });

  it('search keeps å, ä and ö apart from a and o', async () => {
    const slugs = async (q: string) => ((await get(`/api/v1/content/search?q=${encodeURIComponent(q)}`)).json() as { items: { slug: string }[] }).items.map((i) => i.slug);
    expect(await slugs('färdplan')).toContain('fardplan');
    expect(await slugs('fardplan')).toEqual([]);
  });
});
