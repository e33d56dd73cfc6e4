import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONTENT_LANGUAGES, parseContentPage, searchPages, sortPages, type Audience, type ContentLang, type ContentPage, type Heading, type SnippetPart,
} from '../domain/content.js';

/** The project's support material: content/<lang>/<slug>.md (see test/content.test.ts for the rules a page follows). */
export const CONTENT_DIR = path.resolve(process.env.NVF_CONTENT_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'content'));

export interface ContentListItem {
  slug: string;
  title: string;
  audience: Audience;
  summary: string;
  reviewed: string;
  owner: string;
}

export interface ContentPageOut extends ContentListItem {
  lang: ContentLang;
  html: string;
  headings: Heading[];
  /** the same page in the other language, when it exists */
  alternate: { lang: ContentLang; slug: string; title: string } | null;
}

export interface ContentSearchItem extends ContentListItem {
  anchor: string | null;
  snippet: SnippetPart[];
}

/** A JSON answer serialised once, with its ETag. */
export interface Serialised {
  body: string;
  etag: string;
}

export function serialise(value: unknown): Serialised {
  const body = JSON.stringify(value);
  return { body, etag: `"c${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
}

const listItem = (p: ContentPage): ContentListItem => ({ slug: p.slug, title: p.title, audience: p.audience, summary: p.summary, reviewed: p.reviewed, owner: p.owner });

/**
 * Every page read, checked and rendered once (the files change only with a new release), and the answers of the
 * list and page reads serialised once. A file that cannot be read is left out and named in `problems`, so a mistake
 * in one page never stops the platform (test/content-api.test.ts requires `problems` to be empty).
 */
export class ContentLibrary {
  readonly problems: string[] = [];
  private readonly pages = new Map<ContentLang, ContentPage[]>();
  private readonly lists = new Map<ContentLang, Serialised>();
  private readonly pageAnswers = new Map<string, Serialised>();

  constructor(readonly dir: string = CONTENT_DIR) {
    for (const lang of CONTENT_LANGUAGES) {
      const folder = path.join(dir, lang);
      const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md').sort() : [];
      const pages: ContentPage[] = [];
      for (const file of files) {
        try {
          pages.push(parseContentPage(fs.readFileSync(path.join(folder, file), 'utf8'), lang, path.basename(file, '.md')));
        } catch (err) {
          this.problems.push(`content/${lang}/${file}: ${(err as Error).message}`);
        }
      }
      this.pages.set(lang, sortPages(pages));
    }
    for (const lang of CONTENT_LANGUAGES) {
      const pages = this.pages.get(lang)!;
      this.lists.set(lang, serialise({ lang, items: pages.map(listItem) }));
      for (const p of pages) this.pageAnswers.set(`${lang}/${p.slug}`, serialise(this.pageOut(p)));
    }
  }

  list(lang: ContentLang): ContentPage[] {
    return this.pages.get(lang) ?? [];
  }

  /** GET /content?lang= */
  listAnswer(lang: ContentLang): Serialised {
    return this.lists.get(lang)!;
  }

  /** GET /content/{slug}?lang=; undefined when there is no such page in that language. */
  pageAnswer(lang: ContentLang, slug: string): Serialised | undefined {
    return this.pageAnswers.get(`${lang}/${slug}`);
  }

  /** GET /content/search?q=&lang= */
  search(lang: ContentLang, query: string, limit = 20): { lang: ContentLang; query: string; items: ContentSearchItem[] } {
    const hits = searchPages(this.list(lang), query, limit);
    return { lang, query, items: hits.map((h) => ({ ...listItem(h.page), anchor: h.anchor, snippet: h.snippet })) };
  }

  private pageOut(p: ContentPage): ContentPageOut {
    const other = CONTENT_LANGUAGES.find((l) => l !== p.lang)!;
    const twin = this.list(other).find((q) => q.slug === p.slug);
    return {
      ...listItem(p),
      lang: p.lang,
      html: p.html,
      headings: p.headings,
      alternate: twin ? { lang: other, slug: twin.slug, title: twin.title } : null,
    };
  }
}

const libraries = new Map<string, ContentLibrary>();
/** The library of a folder, read once per process (every app built in the same process shares it). */
export function contentLibrary(dir: string = CONTENT_DIR): ContentLibrary {
  let library = libraries.get(dir);
  if (!library) libraries.set(dir, (library = new ContentLibrary(dir)));
  return library;
}
