import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CASE_STATUSES } from '../../domain/case-state.js';
import * as patient from '../../services/brokering/patient.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';

const PATIENT = { roles: ['patient'] } as const;
const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const Text = z.object({ sv: z.string(), en: z.string() });

const PatientCaseOut = z.object({
  id: z.string().uuid(),
  serviceId: z.string(),
  status: z.enum(CASE_STATUSES),
  statusText: Text.describe('The status in plain language.'),
  nextStep: Text.describe('What happens next, in plain language.'),
  clockStart: z.string(),
  deadline: z.string().describe('The last day within the care guarantee.'),
  daysLeft: z.number().int(),
  origin: z.enum(['coordinator', 'patient']),
  openedAt: z.string(),
  updatedAt: z.string(),
  homeRegionCode: z.string(),
  offer: z.object({ unitName: z.string(), offeredDate: z.string().nullable() }).nullable().describe('The clinic the patient chose, once chosen.'),
  bookedDate: z.string().nullable(),
  completedOn: z.string().nullable(),
});
const example = {
  id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', serviceId: 'knee-replacement', status: 'open', statusText: { sv: 'Mottagen av din region', en: 'Received by your region' },
  nextStep: { sv: 'Vårdgarantikansliet letar efter en mottagning som kan ta emot dig. De hör av sig inom två arbetsdagar.', en: 'The care guarantee office is looking for a clinic that can see you. They will contact you within two working days.' },
  clockStart: '2026-06-20', deadline: '2026-09-18', daysLeft: -69, origin: 'patient', openedAt: '2026-11-26T08:00:00.000Z', updatedAt: '2026-11-26T08:00:00.000Z',
  homeRegionCode: '25', offer: null, bookedDate: null, completedOn: null,
};

/** Patient-initiated requests for care elsewhere, and the patient's own cases (contract role `patient`). */
export function patientRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const deps = { db: s.database.db, patients: s.patients, mode: s.config.mode };

    r.post('/patient/requests', {
      config: { access: PATIENT, rateLimit: writeRateLimit(s.config) },
      schema: {
        tags: ['Brokering'], summary: 'Ask for care elsewhere (the patient)', operationId: 'askForCareElsewhere',
        description: 'A logged-in patient whose guarantee deadline has passed or is at most 30 days away asks for care at another provider. ' +
          'The request lands in the home region’s coordinator queue as a case with origin patient; the identity comes from the login, never from the form.',
        body: z.object({
          serviceId: z.string().min(1).max(63).describe('What the patient waits for (the service catalogue).'),
          clockStart: DATE.describe('When the decision or referral was made: the guarantee counts from it.'),
          homeMunicipality: z.string().regex(/^\d{4}$/).optional().describe('Where the patient lives (SCB code); defaults to the registered address.'),
          phone: z.string().min(3).max(40).optional(),
          preferences: z.object({
            maxDistanceKm: z.number().int().min(1).max(2000).optional(),
            unavailableDates: z.array(DATE).max(366).optional(),
            language: z.string().min(1).max(50).optional(),
            accessibilityNeeds: z.string().min(1).max(500).optional(),
            notes: z.string().min(1).max(2000).optional(),
          }).strict().optional(),
        }).strict().meta({ examples: [{ serviceId: 'knee-replacement', clockStart: '2026-06-20', preferences: { maxDistanceKm: 400, accessibilityNeeds: 'Rullstol' } }] }),
        response: { 201: PatientCaseOut.meta({ examples: [example] }) },
      },
    }, async (request, reply) => {
      const c = await patient.askForCareElsewhere(deps, request.ctx, request.body);
      reply.code(201).header('location', '/api/v1/patient/cases');
      return c;
    });

    r.get('/patient/cases', {
      config: { access: PATIENT },
      schema: {
        tags: ['Brokering'], summary: 'The patient’s own cases', operationId: 'listMyCases',
        description: 'Every case about the logged-in patient, newest first, with its status and next step in plain language. Read is audited.',
        response: { 200: z.object({ items: z.array(PatientCaseOut) }).meta({ examples: [{ items: [example] }] }) },
      },
    }, async (request) => ({ items: await patient.myCases(deps, request.ctx) }));
  };
}
