import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUDIENCES, CONTENT_LANGUAGES, SLUG } from '../../domain/content.js';
import { AppError } from '../../domain/errors.js';
import { contentLibrary, serialise, type ContentLibrary, type Serialised } from '../../services/content.service.js';
import type { AppServices } from '../app.js';

const Lang = z.enum(CONTENT_LANGUAGES).default('sv').describe('Language of the pages: sv (default) or en.');
const LangQuery = z.object({ lang: Lang });

const ListItem = z.object({
  slug: z.string().describe('the page’s name in its address (/api/v1/content/{slug}, /stod/{slug} in the web)'),
  title: z.string(),
  audience: z.enum(AUDIENCES).describe('who the page is for: patient, provider, region (the national roadmap) or all'),
  summary: z.string().describe('one sentence on what the page says'),
  reviewed: z.string().describe('date of the last review, YYYY-MM-DD'),
  owner: z.string().describe('who answers for the page and reviews it'),
});

const ContentList = z
  .object({ lang: z.enum(CONTENT_LANGUAGES), items: z.array(ListItem).describe('ordered by audience (patients, providers, regions, all), then by title') })
  .meta({
    examples: [
      {
        lang: 'sv',
        items: [
          { slug: 'dina-rattigheter', title: 'Dina rättigheter när du väntar på vård', audience: 'patient', summary: 'Vårdgarantin säger hur länge du högst ska behöva vänta på vård och vad du kan göra om du väntar för länge.', reviewed: '2026-11-26', owner: 'Nationella samordningsfunktionen, Socialstyrelsen' },
        ],
      },
    ],
  });

const ContentPageOut = ListItem.extend({
  lang: z.enum(CONTENT_LANGUAGES),
  html: z.string().describe('the body as HTML (no h1: the title is the page heading); raw HTML of the source is escaped, links between pages point to /stod/{slug}'),
  headings: z.array(z.object({ id: z.string(), text: z.string(), level: z.number().int().min(2).max(6) })).describe('the body’s headings in order, for a table of contents (#id)'),
  alternate: z.object({ lang: z.enum(CONTENT_LANGUAGES), slug: z.string(), title: z.string() }).nullable().describe('the same page in the other language; null when it has none'),
}).meta({
  examples: [
    {
      slug: 'om-vardgarantin-inte-halls', lang: 'sv', title: 'Om vårdgarantin inte hålls', audience: 'patient',
      summary: 'Vart du kan vända dig om du har väntat för länge, och vad tjänsten, vårdgarantikansliet, patientnämnden och IVO kan och inte kan göra.', reviewed: '2026-11-26', owner: 'Nationella samordningsfunktionen, Socialstyrelsen',
      html: '<p>…</p>\n<h2 id="4-vand-dig-till-ivo">4. Vänd dig till IVO</h2>\n<p>…</p>',
      headings: [{ id: '4-vand-dig-till-ivo', text: '4. Vänd dig till IVO', level: 2 }],
      alternate: { lang: 'en', slug: 'om-vardgarantin-inte-halls', title: 'If the care guarantee is not kept' },
    },
  ],
});

const SearchOut = z
  .object({
    lang: z.enum(CONTENT_LANGUAGES),
    query: z.string(),
    items: z.array(
      ListItem.extend({
        anchor: z.string().nullable().describe('id of the heading whose section the snippet comes from (link to /stod/{slug}#{anchor}); null for the top of the page'),
        snippet: z.array(z.object({ text: z.string(), mark: z.boolean().describe('true for a word the query found') })).describe('about 180 characters of plain text around the first match, in runs'),
      }),
    ).describe('at most 20 pages, best first: query words in the title rank above words only in the summary or headings, which rank above words only in the body'),
  })
  .meta({
    examples: [
      {
        lang: 'sv', query: 'ivo',
        items: [{
          slug: 'om-vardgarantin-inte-halls', title: 'Om vårdgarantin inte hålls', audience: 'patient', summary: 'Vart du kan vända dig om du har väntat för länge, och vad tjänsten, vårdgarantikansliet, patientnämnden och IVO kan och inte kan göra.',
          reviewed: '2026-11-26', owner: 'Nationella samordningsfunktionen, Socialstyrelsen', anchor: '4-vand-dig-till-ivo',
          snippet: [{ text: '… Inspektionen för vård och omsorg (', mark: false }, { text: 'IVO', mark: true }, { text: ') granskar vården …', mark: false }],
        }],
      },
    ],
  });

const SlugParam = z.object({
  slug: z.string().max(100).regex(SLUG, 'a page slug is lower-case a–z, digits and hyphens, e.g. dina-rattigheter').describe('The page’s slug, e.g. dina-rattigheter.'),
});

/** Send a serialised answer with its ETag; 304 when the caller has it already. The pages change only with a release. */
function sendCached(request: FastifyRequest, reply: FastifyReply, answer: Serialised, maxAge: number): FastifyReply {
  reply.header('etag', answer.etag).header('cache-control', `public, max-age=${maxAge}`);
  const given = request.headers['if-none-match'];
  // weak comparison (RFC 9110 §13.1.2): a proxy may have marked our tag weak (W/"…")
  if (given !== undefined && given.split(',').some((t) => t.trim().replace(/^W\//, '') === answer.etag || t.trim() === '*')) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').serializer((p: unknown) => p as string).send(answer.body);
}

/** The support material: pages for patients, providers and regions, in Swedish and English, with search. Public. */
export function contentRoutes(_s: AppServices, library: ContentLibrary = contentLibrary()) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    for (const problem of library.problems) app.log.error(`support page left out: ${problem}`);

    r.get('/content', {
      config: { access: 'public' },
      schema: {
        tags: ['Support'], summary: 'List the support pages', operationId: 'listContentPages',
        description: 'Every support page of one language with its title, audience, summary, date of last review and owner.',
        querystring: LangQuery,
        response: { 200: ContentList },
      },
    }, async (request, reply) => sendCached(request, reply, library.listAnswer(request.query.lang), 300));

    r.get('/content/search', {
      config: { access: 'public' },
      schema: {
        tags: ['Support'], summary: 'Search the support pages', operationId: 'searchContent',
        description:
          'Every word of the query must begin a word of the page (title, summary, headings or body); case does not matter, other accents than å, ä and ö are ignored (é finds e), and å, ä, ö are letters of their own (a does not find å). Best first: words in the title, then in the summary or headings, then how often in the body.',
        querystring: z.object({
          q: z.string().trim().min(2, 'write at least 2 characters').max(100, 'write at most 100 characters').describe('What to look for, e.g. "ivo" or "resa kostnad".'),
          lang: Lang,
        }),
        response: { 200: SearchOut },
      },
    }, async (request, reply) => sendCached(request, reply, serialise(library.search(request.query.lang, request.query.q)), 60));

    r.get('/content/:slug', {
      config: { access: 'public' },
      schema: {
        tags: ['Support'], summary: 'Get one support page', operationId: 'getContentPage',
        description: 'The page rendered to HTML, with its headings for a table of contents, its date of last review and owner, and the same page in the other language.',
        params: SlugParam,
        querystring: LangQuery,
        response: { 200: ContentPageOut },
      },
    }, async (request, reply) => {
      const { lang } = request.query;
      const answer = library.pageAnswer(lang, request.params.slug);
      if (!answer) {
        const other = CONTENT_LANGUAGES.find((l) => l !== lang)!;
        const elsewhere = library.pageAnswer(other, request.params.slug) ? ` It exists in ${other}: GET /api/v1/content/${request.params.slug}?lang=${other}.` : '';
        throw new AppError('not_found', `There is no support page ${request.params.slug} in ${lang}.${elsewhere} List the pages with GET /api/v1/content?lang=${lang}.`);
      }
      return sendCached(request, reply, answer, 300);
    });
  };
}
