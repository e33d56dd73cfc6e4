import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, type FieldError } from '../domain/errors.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation: 422,
  rate_limited: 429,
  unavailable: 503,
};

const TITLE: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://nvf.example/problems/';

export function problemFor(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title: TITLE[status] ?? 'Error', status, detail, ...extra };
}

/** Send a problem+json answer. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="nvf"');
  return reply.code(p.status).type('application/problem+json').send({ ...p, requestId: reply.request.id });
}

/** Turn any error into a problem answer: AppErrors as they say, framework errors by their status, the rest as a logged 500 with nothing leaked. */
export function toProblem(err: unknown, request: FastifyRequest): Problem {
  if (err instanceof AppError) {
    return problemFor(STATUS[err.code], err.code, err.message, { ...(err.errors ? { errors: err.errors } : {}), ...(err.extra ?? {}) });
  }
  const fe = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = fe.validationContext ?? 'body';
    const errors: FieldError[] = fe.validation.map((v) => {
      // fastify-type-provider-zod: keyword = zod issue code, instancePath = '/a/0/b', params = the rest of the issue
      const field = v.instancePath.replace(/^\//, '').split('/').filter(Boolean).map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
      const keys = (v.params as { keys?: unknown }).keys;
      let message = v.message ?? 'is invalid';
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) message = `unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')}: remove ${keys.length > 1 ? 'them' : 'it'}`;
      return { field: field ? `${where === 'body' ? '' : `${where}.`}${field}` : where, message };
    });
    const summary = errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`).join('; ');
    return problemFor(400, 'bad_request', `The ${where === 'querystring' ? 'query string' : where} does not match the schema — ${summary}.`, { errors });
  }
  if (isResponseSerializationError(err)) {
    request.log.error({ err }, 'response did not match its schema');
    return problemFor(500, 'internal', 'The server failed to form its answer. The error is logged; quote the request id when you report it.');
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problemFor(400, 'bad_request', `The body is not valid JSON: ${fe.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'check quotes, commas and brackets')}.`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemFor(413, 'payload_too_large', 'The body is larger than this endpoint accepts; send a smaller body or split it.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problemFor(415, 'unsupported_media_type', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted here; send application/json.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problemFor(400, 'bad_request', 'Content-Length does not match the body.');
    default:
      break;
  }
  if (status === 429) return problemFor(429, 'rate_limited', fe.message || 'Too many requests; wait and retry.');
  if (status >= 400 && status < 500) return problemFor(status, 'bad_request', fe.message || 'The request is not valid.');
  if (isDatabaseUnavailable(err)) {
    request.log.error({ err }, 'database unavailable');
    return problemFor(503, 'unavailable', 'The database does not answer; try again shortly.');
  }
  request.log.error({ err }, 'unhandled error');
  return problemFor(500, 'internal', 'Something went wrong on our side. The error is logged; quote the request id when you report it.');
}

function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === '57P01' || code === '57P03' || code === '53300' || /Connection terminated|pool.*(ended|closed)/i.test(String((err as Error)?.message));
}
