import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as openData from '../../services/statistics/open-data.service.js';
import type { AppServices } from '../app.js';

const DatasetParam = z.object({ dataset: z.string().min(1).max(63).describe(`Dataset id: ${openData.DATASETS.map((d) => d.id).join(', ')}.`) });
const Licence = z.object({ id: z.string(), name: z.string(), url: z.string() });
const Column = z.object({ column: z.string(), type: z.string(), description: z.string() });
const EXAMPLE_DICT = [{ column: 'period', type: 'string', description: 'calendar month YYYY-MM' }, { column: 'value_count', type: 'integer', description: 'the count; empty when suppressed' }];

export const OpenDataListOut = z
  .object({
    licence: Licence,
    items: z.array(z.object({
      id: z.string(), title: z.object({ sv: z.string(), en: z.string() }), description: z.string(), licence: Licence, view: z.string().nullable().describe('null: each row names its view (column view)'),
      links: z.object({ csv: z.string(), json: z.string(), dictionary: z.string() }), updatedAt: z.string().nullable(),
    })),
    changelogUrl: z.string(),
    synthetic: z.boolean().describe('true when the platform holds synthetic demo data: every dataset is then made up'),
  })
  .meta({
    examples: [{
      licence: openData.LICENCE, changelogUrl: openData.CHANGELOG_URL, synthetic: true,
      items: [{ id: 'waits', title: { sv: 'Väntetider', en: 'Waiting times' }, description: 'Median and 90th percentile waits…', licence: openData.LICENCE, view: null, links: { csv: '/api/v1/open-data/waits.csv', json: '/api/v1/open-data/waits.json', dictionary: '/api/v1/open-data/waits/dictionary' }, updatedAt: '2026-11-21T03:00:00.000Z' }],
    }],
  });

const DatasetOut = z
  .object({
    dataset: z.string(), title: z.object({ sv: z.string(), en: z.string() }), licence: Licence, view: z.string().nullable(), viewNote: z.string(), definitionVersion: z.number().int(),
    synthetic: z.boolean(), dictionary: z.array(Column), rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  })
  .meta({
    examples: [{
      dataset: 'guarantee-compliance', title: { sv: 'Vårdgarantins uppfyllelse', en: 'Care guarantee compliance' }, licence: openData.LICENCE, view: null, viewNote: 'Each row names its statistical view in the column view.',
      definitionVersion: 1, synthetic: true, dictionary: EXAMPLE_DICT,
      rows: [{ period: '2026-10', indicator_id: 'waiting_count', definition_version: 1, view: '', guarantee_kind: 'treatment', region_code: '25', breakdown: '', breakdown_value: '', value: null, value_count: null, numerator_count: null, denominator_count: null, suppressed: true, revision: 1, revised_at: null }],
    }],
  });

/** Open data: the dataset list, each dataset as CSV and JSON, and its dictionary (public, cached by statistics_version). */
export function openDataRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const cache = s.statisticsCache;
    const tags = ['Open data'];
    const licenceLink = `<${openData.LICENCE.url}>; rel="license"`;

    r.get('/open-data', {
      config: { access: 'public' },
      schema: { tags, summary: 'The open datasets', operationId: 'listOpenData', description: 'Every dataset with its licence (CC0 1.0), links to CSV, JSON and the data dictionary, and the changelog of definitions.', response: { 200: OpenDataListOut } },
    }, async (request, reply) => cache.reply(request, reply, () => openData.listDatasets(db)));

    r.get('/open-data/:dataset.json', {
      config: { access: 'public' },
      schema: { tags, summary: 'A dataset as JSON', operationId: 'getOpenDataJson', description: 'Every computed month, suppressed as the statistics (empty figures with suppressed: true), with its dictionary and licence. 404 names the datasets.', params: DatasetParam, response: { 200: DatasetOut } },
    }, async (request, reply) => {
      openData.datasetById(request.params.dataset);
      return cache.reply(request, reply, () => openData.datasetJson(db, request.params.dataset), { headers: { link: licenceLink } });
    });

    r.get('/open-data/:dataset.csv', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'A dataset as CSV', operationId: 'getOpenDataCsv',
        description: 'UTF-8 CSV with a header: counts in columns ending in _count, suppressed cells empty with suppressed=true, text cells that could be read as spreadsheet formulas prefixed with an apostrophe. The licence is in the Link header (rel="license") and in the JSON and dictionary.',
        params: DatasetParam,
        response: { 200: z.string().describe('text/csv; charset=utf-8').meta({ examples: ['period,indicator_id,…\r\n2026-10,waiting_count,…\r\n'] }) },
      },
    }, async (request, reply) => {
      const id = request.params.dataset;
      openData.datasetById(id);
      return cache.reply(request, reply, async () => {
        const made = await openData.datasetCsv(db, id);
        return { text: made.body, contentType: 'text/csv; charset=utf-8', headers: { 'content-disposition': `attachment; filename="${made.filename}"`, link: licenceLink } };
      }, { text: true });
    });

    r.get('/open-data/:dataset/dictionary', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'The data dictionary of a dataset', operationId: 'getOpenDataDictionary', params: DatasetParam,
        response: { 200: z.object({ dataset: z.string(), licence: Licence, definitionVersion: z.number().int(), dictionary: z.array(Column) }).meta({ examples: [{ dataset: 'waits', licence: openData.LICENCE, definitionVersion: 1, dictionary: EXAMPLE_DICT }] }) },
      },
    }, async (request, reply) => {
      openData.datasetById(request.params.dataset);
      return cache.reply(request, reply, async () => openData.dictionary(request.params.dataset));
    });
  };
}
