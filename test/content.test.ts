import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Checks the support material in content/ (Markdown with a small front matter):
 * fields, dates, slugs, language pairs, headings, links and a rough plain-language measure.
 * The front matter is a YAML subset parsed here (`key: value` lines between `---` lines), so no dependency is needed.
 */

const CONTENT_DIR = path.resolve(import.meta.dirname, '..', 'content');
const LANGUAGES = ['sv', 'en'] as const;
const REQUIRED_FIELDS = ['title', 'summary', 'audience', 'owner', 'lastReviewed', 'slug'] as const;
const AUDIENCES = ['patient', 'provider', 'region', 'all'];
/** Swedish pages that need no English counterpart (slug → why). Empty: every page has one today. */
const SV_ONLY: Record<string, string> = {};
/** A page not reviewed for this long is out of date. */
const MAX_REVIEW_AGE_DAYS = 400;
/** Average words per sentence for Swedish pages: reported above the target, failed above the limit. */
const SENTENCE_TARGET_WORDS = 20;
const SENTENCE_LIMIT_WORDS = 25;

interface Page {
  file: string;
  lang: string;
  name: string;
  meta: Record<string, string>;
  body: string;
  frontMatterError: string | null;
}

/** Parse `---` / `key: value` lines / `---`; returns an error instead of throwing, so every file is reported. */
export function parseFrontMatter(text: string): { meta: Record<string, string>; body: string; error: string | null } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { meta: {}, body: text, error: 'the file does not start with a --- line' };
  const end = lines.indexOf('---', 1);
  if (end < 0) return { meta: {}, body: text, error: 'the front matter has no closing --- line' };
  const meta: Record<string, string> = {};
  for (const [i, line] of lines.slice(1, end).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9_]*):\s*(.*)$/.exec(line);
    if (!m) return { meta, body: '', error: `front matter line ${i + 2} is not "key: value": ${line}` };
    const key = m[1]!;
    let value = m[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    if (key in meta) return { meta, body: '', error: `front matter key ${key} appears twice` };
    meta[key] = value;
  }
  return { meta, body: lines.slice(end + 1).join('\n'), error: null };
}

function loadPages(): Page[] {
  if (!fs.existsSync(CONTENT_DIR)) return [];
  return fs
    .readdirSync(CONTENT_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md') && path.basename(f).toLowerCase() !== 'readme.md')
    .sort()
    .map((f) => {
      const { meta, body, error } = parseFrontMatter(fs.readFileSync(path.join(CONTENT_DIR, f), 'utf8'));
      return { file: f.split(path.sep).join('/'), lang: f.split(path.sep)[0] ?? '', name: path.basename(f, '.md'), meta, body, frontMatterError: error };
    });
}

/** Today in Stockholm, as YYYY-MM-DD (the date the reviewers write). */
function todayInStockholm(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The body without fenced code blocks, so that `# comments` in code are not taken for headings. */
function withoutCode(body: string): string {
  return body.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/**
 * Sentences of running text: headings, tables and code left out. A paragraph or list item ends a sentence
 * (lines wrapped inside a paragraph are joined), and so does . ! or ? followed by a space.
 */
export function sentences(body: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) blocks.push(current.join(' '));
    current = [];
  };
  for (const line of withoutCode(body).split('\n')) {
    if (line.trim() === '' || /^\s*(#|\|)/.test(line)) {
      flush();
      continue;
    }
    const item = /^\s*(?:[-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      current.push(item[1]!);
    } else current.push(line.trim());
  }
  flush();
  return blocks
    .map((b) => b.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`[^`]*`/g, 'X').replace(/[*_]/g, ''))
    .flatMap((b) => b.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => /\p{L}/u.test(s));
}

function wordCount(s: string): number {
  return s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const pages = loadPages();
const today = todayInStockholm();

describe('content pages', () => {
  it('exist in every language folder', () => {
    for (const lang of LANGUAGES) expect(pages.filter((p) => p.lang === lang).length, `content/${lang}/ has pages`).toBeGreaterThan(0);
    for (const p of pages) expect(LANGUAGES as readonly string[], `${p.file} lies in a language folder`).toContain(p.lang);
  });

  describe.each(pages.map((p) => [p.file, p] as const))('%s', (_file, page) => {
    it('has front matter with every field filled in', () => {
      expect(page.frontMatterError).toBeNull();
      for (const field of REQUIRED_FIELDS) expect(page.meta[field]?.trim() ?? '', `${page.file}: ${field}`).not.toBe('');
      const unknown = Object.keys(page.meta).filter((k) => !(REQUIRED_FIELDS as readonly string[]).includes(k));
      expect(unknown, `${page.file}: unknown front matter keys`).toEqual([]);
    });

    it('has a summary of one sentence', () => {
      const summary = page.meta.summary ?? '';
      expect(summary, `${page.file}: summary ends with a full stop`).toMatch(/[.!?]$/);
      expect(summary.slice(0, -1), `${page.file}: summary is one sentence`).not.toMatch(/[.!?]\s+\p{Lu}/u);
    });

    it('was reviewed on a real date, not in the future and not too long ago', () => {
      const reviewed = page.meta.lastReviewed ?? '';
      expect(isValidDate(reviewed), `${page.file}: lastReviewed ${reviewed} is a YYYY-MM-DD date`).toBe(true);
      const age = daysBetween(reviewed, today);
      expect(age, `${page.file}: lastReviewed ${reviewed} is after today (${today})`).toBeGreaterThanOrEqual(0);
      expect(age, `${page.file}: lastReviewed ${reviewed} is more than ${MAX_REVIEW_AGE_DAYS} days ago`).toBeLessThanOrEqual(MAX_REVIEW_AGE_DAYS);
    });

    it('has a slug equal to its file name and an audience from the list', () => {
      expect(page.meta.slug).toBe(page.name);
      expect(page.name, `${page.file}: slugs are lower-case a–z, digits and hyphens`).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(AUDIENCES).toContain(page.meta.audience);
    });

    it('has a body', () => {
      expect(page.body.trim().length, `${page.file}: empty body`).toBeGreaterThan(0);
    });

    it('starts its headings at level 2 and skips no level (the web renders the title as h1)', () => {
      const levels = withoutCode(page.body)
        .split('\n')
        .map((l) => /^(#{1,6})\s/.exec(l)?.[1]?.length)
        .filter((n): n is number => n !== undefined);
      expect(levels.filter((n) => n < 2), `${page.file}: a level-1 heading`).toEqual([]);
      let previous = 1;
      for (const level of levels) {
        expect(level, `${page.file}: heading level ${level} after ${previous}`).toBeLessThanOrEqual(previous + 1);
        previous = level;
      }
    });

    it('links only to content pages that exist', () => {
      const targets = [...page.body.matchAll(/\]\((\.\.?\/[^)\s#]*)(?:#[^)\s]*)?\)/g)].map((m) => m[1]!);
      const slugs = new Set(pages.filter((p) => p.lang === page.lang).map((p) => p.name));
      const missing = targets.filter((t) => !t.startsWith('./') || !slugs.has(t.slice(2).replace(/\.md$/, '')));
      expect(missing, `${page.file}: links to pages that are not in content/${page.lang}/`).toEqual([]);
    });
  });

  it('has an English page for every Swedish page, with the same slug', () => {
    const en = new Set(pages.filter((p) => p.lang === 'en').map((p) => p.name));
    const missing = pages.filter((p) => p.lang === 'sv' && !en.has(p.name) && !(p.name in SV_ONLY)).map((p) => p.name);
    expect(missing).toEqual([]);
    const orphans = pages.filter((p) => p.lang === 'en' && !pages.some((s) => s.lang === 'sv' && s.name === p.name)).map((p) => p.name);
    expect(orphans, 'English pages without a Swedish original').toEqual([]);
  });

  it('keeps the same audience and owner in both languages', () => {
    for (const sv of pages.filter((p) => p.lang === 'sv')) {
      const en = pages.find((p) => p.lang === 'en' && p.name === sv.name);
      if (!en) continue;
      expect(en.meta.audience, `${sv.name}: audience`).toBe(sv.meta.audience);
      expect(en.meta.owner, `${sv.name}: owner`).toBe(sv.meta.owner);
    }
  });

  it(`writes Swedish in short sentences (average under ${SENTENCE_TARGET_WORDS} words; fails above ${SENTENCE_LIMIT_WORDS})`, () => {
    const report = pages
      .filter((p) => p.lang === 'sv')
      .map((p) => {
        const list = sentences(p.body);
        const words = list.reduce((n, s) => n + wordCount(s), 0);
        const longest = list.reduce((a, s) => (wordCount(s) > wordCount(a) ? s : a), '');
        return { page: p.file, sentences: list.length, average: list.length === 0 ? 0 : words / list.length, longest: wordCount(longest) };
      });
    console.info(
      ['Average words per sentence (Swedish pages):', ...report.map((r) => `  ${r.average.toFixed(1).padStart(5)}  ${r.page}  (${r.sentences} sentences, longest ${r.longest} words)${r.average > SENTENCE_TARGET_WORDS ? '  ABOVE TARGET' : ''}`)].join('\n'),
    );
    for (const r of report) expect(r.average, `${r.page}: average sentence length`).toBeLessThanOrEqual(SENTENCE_LIMIT_WORDS);
  });
});

describe('the content checks themselves', () => {
  it('parse front matter and report what is wrong', () => {
    expect(parseFrontMatter('---\ntitle: A: b\nslug: "x"\n---\n\nText').meta).toEqual({ title: 'A: b', slug: 'x' });
    expect(parseFrontMatter('no front matter').error).toMatch(/---/);
    expect(parseFrontMatter('---\ntitle: A\n').error).toMatch(/closing/);
    expect(parseFrontMatter('---\njust text\n---\n').error).toMatch(/key: value/);
    expect(parseFrontMatter('---\na: 1\na: 2\n---\n').error).toMatch(/twice/);
  });

  it('count sentences in running text, not in code, tables or headings', () => {
    const body = '## Rubrik\n\nEn mening här. En till!\nSamma stycke,\nbrutet.\n\n- punkt ett\n- punkt [två](./x)\n\n| a | b |\n| --- | --- |\n\n```sh\n# kommentar. Inte text.\n```\n';
    expect(sentences(body)).toEqual(['En mening här.', 'En till!', 'Samma stycke, brutet.', 'punkt ett', 'punkt två']);
  });
});
