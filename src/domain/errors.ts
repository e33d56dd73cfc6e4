/** The closed set of failure kinds the platform knows. One handler maps each to HTTP (src/http/problem.ts). */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation'
  | 'rate_limited'
  | 'unavailable';

/** One field-level problem, as in the contract's `errors` array. */
export interface FieldError {
  line?: number;
  field?: string;
  message: string;
}

/** The one error type of the platform: a code from the closed union and a message that says what to fix. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { errors?: FieldError[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.errors = opts.errors;
    this.extra = opts.extra;
  }
}

export const notFound = (what: string, id: string): AppError => new AppError('not_found', `${what} ${id} does not exist.`);
export const forbidden = (message: string): AppError => new AppError('forbidden', message);
export const invalid = (errors: FieldError[], message = 'The request has invalid values; see errors.'): AppError =>
  new AppError('validation', message, { errors });

/** 412 when a change names (If-Match) another version than the current one; nothing when no version was named. */
export function checkVersion(kind: string, id: string, current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current)
    throw new AppError('precondition_failed', `${kind} ${id} has changed (version ${current}, you sent If-Match for ${expected}); read it again and retry.`, {
      extra: { currentVersion: current },
    });
}
