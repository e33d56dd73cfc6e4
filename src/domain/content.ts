import { Marked, type Token, type Tokens } from 'marked';

/**
 * The support material (content/{sv,en}/*.md): front matter, Markdown rendered to safe HTML, a table of contents,
 * and a small full-text search. Pure: the files are read by src/services/content.service.ts.
 *
 * Safety: the files are our own, but raw HTML in them is still shown as text (never passed through), links are kept
 * only for http(s), mailto, site paths, in-page anchors and other content pages (./slug), and images become their
 * alt text. So the HTML the web inserts can hold only the elements this renderer writes.
 */

export const CONTENT_LANGUAGES = ['sv', 'en'] as const;
export type ContentLang = (typeof CONTENT_LANGUAGES)[number];
/** Who a page is for: patients, care providers, regions (the national roadmap) or everyone. */
export const AUDIENCES = ['patient', 'provider', 'region', 'all'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Slugs the API path uses for other things. */
const RESERVED_SLUGS = new Set(['search']);
/** Where the web shows a content page: /stod/<slug> (links between pages are rewritten to it). */
export const WEB_PATH = '/stod';

export interface Heading {
  /** the id of the heading element, for links to it (#id) */
  id: string;
  text: string;
  level: number;
}

/** A part of the text between two headings, as plain text, for search. */
export interface Section {
  /** the id of the heading that starts the section; null for the text before the first heading */
  anchor: string | null;
  heading: string | null;
  text: string;
}

export interface ContentPage {
  lang: ContentLang;
  slug: string;
  title: string;
  summary: string;
  audience: Audience;
  owner: string;
  /** date of the last review, YYYY-MM-DD */
  reviewed: string;
  html: string;
  headings: Heading[];
  sections: Section[];
}

const REQUIRED = ['title', 'summary', 'audience', 'owner', 'lastReviewed', 'slug'] as const;

/** `---` / `key: value` lines / `---`, as test/content.test.ts checks it. Throws with what is wrong. */
export function parseFrontMatter(text: string): { meta: Record<string, string>; body: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') throw new Error('the file does not start with a --- line');
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) throw new Error('the front matter has no closing --- line');
  const meta: Record<string, string> = {};
  for (const [i, line] of lines.slice(1, end).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9_]*):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`front matter line ${i + 2} is not "key: value": ${line}`);
    let value = m[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    if (m[1]! in meta) throw new Error(`front matter key ${m[1]} appears twice`);
    meta[m[1]!] = value;
  }
  return { meta, body: lines.slice(end + 1).join('\n') };
}

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The reader-visible text of Markdown tokens (what a screen shows, without markup); blocks are separated by a space. */
export function plainText(tokens: readonly Token[] | undefined): string {
  return rawText(tokens).replace(/\s+/g, ' ').trim();
}

const BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'list_item', 'code', 'html', 'hr', 'space']);

function rawText(tokens: readonly Token[] | undefined): string {
  if (!tokens) return '';
  let out = '';
  for (const t of tokens) {
    let text: string;
    switch (t.type) {
      case 'table': {
        const table = t as Tokens.Table;
        const row = (cells: Tokens.TableCell[]) => `${cells.map((c) => rawText(c.tokens)).join(' · ')} `;
        text = row(table.header) + table.rows.map(row).join('');
        break;
      }
      case 'list':
        text = (t as Tokens.List).items.map((item) => `${rawText(item.tokens)} `).join('');
        break;
      case 'space':
      case 'hr':
      case 'def':
        text = '';
        break;
      case 'br':
        text = ' ';
        break;
      case 'code':
      case 'codespan':
      case 'html':
        text = (t as Tokens.Code).text;
        break;
      default:
        if ('tokens' in t && Array.isArray(t.tokens) && t.tokens.length > 0) text = rawText(t.tokens);
        else text = 'text' in t && typeof t.text === 'string' ? decodeEntities(t.text) : '';
    }
    out += BLOCKS.has(t.type) ? ` ${text} ` : text;
  }
  return out;
}

/** Marked keeps &amp; etc. as written in text tokens: the plain text shows the character. */
function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

/** A readable id for a heading: lower case a–z, digits and hyphens (å, ä → a; ö → o; other accents dropped). */
export function anchorFor(text: string): string {
  const id = text
    .toLocaleLowerCase('sv')
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id === '' ? 'avsnitt' : id.slice(0, 80).replace(/-+$/, '');
}

/** Where a Markdown link may point, rewritten for the web; null when the target is not allowed (rendered as text). */
export function safeHref(href: string): string | null {
  const h = href.trim();
  const page = /^\.\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.md)?(#[A-Za-z0-9_-]*)?$/.exec(h);
  if (page) return `${WEB_PATH}/${page[1]}${page[2] ?? ''}`;
  if (/^#[A-Za-z0-9_-]*$/.test(h)) return h;
  if (/^https?:\/\/[^\s"'<>]+$/i.test(h)) return h;
  if (/^mailto:[^\s"'<>]+$/i.test(h)) return h;
  if (/^\/(?!\/)[^\s"'<>]*$/.test(h)) return h;
  return null;
}

const TABLE_LABEL: Record<ContentLang, string> = { sv: 'Tabell', en: 'Table' };

/** Markdown (GitHub flavour) to HTML, with heading ids, the table of contents and the sections for search. */
export function renderMarkdown(markdown: string, lang: ContentLang): { html: string; headings: Heading[]; sections: Section[] } {
  const marked = new Marked({ gfm: true, async: false });
  const tokens = marked.lexer(markdown);
  const headings: Heading[] = [];
  const used = new Set<string>();
  const ids = new WeakMap<Tokens.Heading, string>();
  marked.walkTokens(tokens, (t) => {
    if (t.type !== 'heading') return;
    const h = t as Tokens.Heading;
    const text = plainText(h.tokens);
    let id = anchorFor(text);
    for (let n = 2; used.has(id); n++) id = `${anchorFor(text)}-${n}`;
    used.add(id);
    ids.set(h, id);
    headings.push({ id, text, level: h.depth });
  });

  // Sections split at the headings of the top level of the document.
  const sections: Section[] = [];
  let current: Section = { anchor: null, heading: null, text: '' };
  for (const t of tokens) {
    if (t.type === 'heading') {
      if (current.text !== '' || current.heading !== null) sections.push(current);
      const h = t as Tokens.Heading;
      current = { anchor: ids.get(h) ?? null, heading: plainText(h.tokens), text: '' };
    } else {
      const text = plainText([t]);
      if (text !== '') current.text = current.text === '' ? text : `${current.text} ${text}`;
    }
  }
  if (current.text !== '' || current.heading !== null) sections.push(current);

  marked.use({
    renderer: {
      html: ({ text }) => escapeHtml(text),
      heading(token) {
        const id = ids.get(token) ?? anchorFor(plainText(token.tokens));
        return `<h${token.depth} id="${id}">${this.parser.parseInline(token.tokens)}</h${token.depth}>\n`;
      },
      link(token) {
        const inner = this.parser.parseInline(token.tokens);
        const href = safeHref(token.href);
        if (href === null) return inner;
        const external = /^https?:/i.test(href);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
        return `<a href="${escapeHtml(href)}"${title}${external ? ' rel="noopener noreferrer"' : ''}>${inner}</a>`;
      },
      image: ({ text }) => escapeHtml(text),
      code: ({ text, lang: codeLang }) => {
        const cls = codeLang && /^[A-Za-z0-9_+-]+$/.test(codeLang) ? ` class="language-${codeLang}"` : '';
        // focusable, so that a long line can be scrolled with the keyboard (WCAG 2.1.1)
        return `<pre tabindex="0"><code${cls}>${escapeHtml(text)}</code></pre>\n`;
      },
      table(token) {
        const cell = (c: Tokens.TableCell, tag: 'th' | 'td') => `<${tag}${tag === 'th' ? ' scope="col"' : ''}>${this.parser.parseInline(c.tokens)}</${tag}>`;
        const head = `<thead><tr>${token.header.map((c) => cell(c, 'th')).join('')}</tr></thead>`;
        const body = token.rows.length === 0 ? '' : `<tbody>${token.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
        const label = `${TABLE_LABEL[lang]}: ${token.header.map((c) => plainText(c.tokens)).join(', ')}`;
        // a region that scrolls sideways on a narrow screen; focusable and named, so keyboard and screen reader users reach it
        return `<div class="md-table" role="region" tabindex="0" aria-label="${escapeHtml(label)}"><table>${head}${body}</table></div>\n`;
      },
    },
  });
  const html = marked.parser(tokens);
  return { html, headings, sections };
}

/** One content file: front matter checked, body rendered. Throws with what is wrong (the caller names the file). */
export function parseContentPage(text: string, lang: ContentLang, fileSlug: string): ContentPage {
  const { meta, body } = parseFrontMatter(text);
  for (const field of REQUIRED) if (!meta[field]?.trim()) throw new Error(`front matter field ${field} is missing or empty`);
  if (meta.slug !== fileSlug) throw new Error(`slug ${meta.slug} differs from the file name ${fileSlug}`);
  if (!SLUG.test(fileSlug)) throw new Error(`slug ${fileSlug} is not lower-case a–z, digits and hyphens`);
  if (RESERVED_SLUGS.has(fileSlug)) throw new Error(`slug ${fileSlug} is reserved by the API`);
  if (!(AUDIENCES as readonly string[]).includes(meta.audience!)) throw new Error(`audience ${meta.audience} is not one of ${AUDIENCES.join(', ')}`);
  if (!isCalendarDate(meta.lastReviewed!)) throw new Error(`lastReviewed ${meta.lastReviewed} is not a YYYY-MM-DD date`);
  if (body.trim() === '') throw new Error('the page has no body');
  const rendered = renderMarkdown(body, lang);
  return {
    lang,
    slug: fileSlug,
    title: meta.title!,
    summary: meta.summary!,
    audience: meta.audience as Audience,
    owner: meta.owner!,
    reviewed: meta.lastReviewed!,
    ...rendered,
  };
}

/** Pages in reading order: by audience (patients first), then by title in the language's alphabet. */
export function sortPages(pages: readonly ContentPage[]): ContentPage[] {
  return [...pages].sort(
    (a, b) => AUDIENCES.indexOf(a.audience) - AUDIENCES.indexOf(b.audience) || a.title.localeCompare(b.title, a.lang === 'sv' ? 'sv' : 'en'),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Search

/**
 * Text for matching, of exactly the same length as the input so that a position found in it is a position in the
 * original: lower case; å, ä and ö are kept as the letters of their own they are in Swedish; other accents are
 * dropped (é → e, ü → u), so "idé" is found by "ide".
 */
export function foldForSearch(s: string): string {
  let out = '';
  for (const ch of s) {
    const lower = ch.toLocaleLowerCase('sv');
    let folded = lower === 'å' || lower === 'ä' || lower === 'ö' ? lower : lower.normalize('NFD').replace(/\p{M}/gu, '');
    if (folded.length !== ch.length) folded = lower.length === ch.length ? lower : ch;
    out += folded;
  }
  return out;
}

/** The words of a query, folded, without repeats (at most 8). */
export function searchTerms(query: string): string[] {
  const words = foldForSearch(query.normalize('NFC')).match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 8);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A term matches the start of a word: "vårdgaranti" finds "vårdgarantin", "ivo" finds "IVO", "nämnd" not "patientnämnden". */
const prefixPattern = (term: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(term)}[\\p{L}\\p{N}]*`, 'gu');

/** A run of snippet text; `mark` when it is a word the query found. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

export interface SearchHit {
  page: ContentPage;
  /** the heading of the section the snippet comes from, for a link straight to it; null for the page's start */
  anchor: string | null;
  snippet: SnippetPart[];
  /** how many of the terms are in the title; ranks first */
  titleTermCount: number;
  score: number;
}

interface Field {
  text: string;
  folded: string;
}
const field = (text: string): Field => ({ text, folded: foldForSearch(text) });
const countMatches = (f: Field, re: RegExp) => f.folded.match(re)?.length ?? 0;

const SNIPPET_CHARS = 180;
const SNIPPET_BEFORE = 60;

/** The text around the first match, cut at word boundaries, with every matching word marked. */
export function snippetOf(text: string, patterns: readonly RegExp[]): SnippetPart[] {
  const folded = foldForSearch(text);
  const spans: [number, number][] = [];
  for (const re of patterns) for (const m of folded.matchAll(re)) spans.push([m.index, m.index + m[0].length]);
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = spans[0]?.[0] ?? 0;
  let start = Math.max(0, first - SNIPPET_BEFORE);
  if (start > 0) {
    const space = text.lastIndexOf(' ', start);
    start = space < 0 ? 0 : space + 1;
  }
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > first) end = space;
  }
  const parts: SnippetPart[] = [];
  const push = (s: string, mark: boolean) => {
    if (s === '') return;
    const last = parts[parts.length - 1];
    if (last && last.mark === mark) last.text += s;
    else parts.push({ text: s, mark });
  };
  if (start > 0) push('… ', false);
  let at = start;
  for (const [a, b] of spans) {
    if (b <= at || a >= end) continue;
    const from = Math.max(a, at);
    const to = Math.min(b, end);
    push(text.slice(at, from), false);
    push(text.slice(from, to), true);
    at = to;
  }
  push(text.slice(at, end), false);
  if (end < text.length) push(' …', false);
  return parts;
}

/**
 * Search pages of one language. Every word of the query must start a word somewhere in the page (title, summary,
 * headings or body). Ranking: pages with more query words in the title first, then more in the summary and headings,
 * then more matches in the body (each word counted at most 20 times), then the title alphabetically.
 */
export function searchPages(pages: readonly ContentPage[], query: string, limit = 20): SearchHit[] {
  const terms = searchTerms(query);
  if (terms.length === 0) return [];
  const patterns = terms.map(prefixPattern);
  const hits: SearchHit[] = [];
  for (const page of pages) {
    const title = field(page.title);
    const summary = field(page.summary);
    const sections = page.sections.map((s) => ({ s, heading: field(s.heading ?? ''), body: field(s.text) }));
    let titleTermCount = 0;
    let nearTitle = 0;
    let body = 0;
    let all = true;
    for (const re of patterns) {
      const inTitle = countMatches(title, re) > 0;
      const inSummaryOrHeading = countMatches(summary, re) > 0 || sections.some((x) => countMatches(x.heading, re) > 0);
      const inBody = Math.min(20, sections.reduce((n, x) => n + countMatches(x.body, re), 0));
      if (!inTitle && !inSummaryOrHeading && inBody === 0) {
        all = false;
        break;
      }
      if (inTitle) titleTermCount++;
      if (inSummaryOrHeading) nearTitle++;
      body += inBody;
    }
    if (!all) continue;
    // the snippet: the section where most query words match (the first of equals), else the summary
    let best: { anchor: string | null; text: string; words: number } | undefined;
    for (const x of sections) {
      const words = patterns.filter((re) => countMatches(x.body, re) > 0 || countMatches(x.heading, re) > 0).length;
      if (words > 0 && (!best || words > best.words)) best = { anchor: x.s.anchor, text: x.s.text === '' ? (x.s.heading ?? '') : x.s.text, words };
    }
    const snippetSource = best && countMatches(field(best.text), new RegExp(patterns.map((p) => p.source).join('|'), 'gu')) > 0 ? best.text : page.summary;
    hits.push({
      page,
      anchor: best?.anchor ?? null,
      snippet: snippetOf(snippetSource, patterns),
      titleTermCount,
      score: titleTermCount * 10_000 + nearTitle * 1_000 + body,
    });
  }
  const collator = new Intl.Collator(pages[0]?.lang === 'en' ? 'en' : 'sv');
  return hits.sort((a, b) => b.score - a.score || collator.compare(a.page.title, b.page.title)).slice(0, limit);
}
