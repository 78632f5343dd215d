/**
 * The errors a server hooks file throws to answer in PocketBase's error shape `{ status, message, data }`. The
 * same classes are `app.BadRequestError` …, named exports of @galley/sdk and of the module `galley types` writes
 * (generated from sdk/src/hooks/hook-errors.ts, their one source); the server knows them by the `Symbol.for`
 * mark, so each is answered alike wherever it was imported from.
 */
const API_ERROR_MARK = Symbol.for('galley.apiError');

/** A per-field error inside `data`: `{ title: new ValidationError('validation_bad_title', 'Say it nicely.') }`. */
export class ValidationError {
  readonly code: string;
  readonly message: string;
  constructor(code: string, message: string) {
    this.code = code;
    this.message = message;
  }
}

export class ApiError extends Error {
  readonly [API_ERROR_MARK] = true;
  readonly status: number;
  readonly data: Record<string, unknown>;
  constructor(status: number, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.data = data;
  }
}
export class BadRequestError extends ApiError {
  constructor(message = 'Something went wrong while processing your request.', data?: Record<string, unknown>) {
    super(400, message, data);
  }
}
export class UnauthorizedError extends ApiError {
  constructor(message = 'Missing or invalid authentication.', data?: Record<string, unknown>) {
    super(401, message, data);
  }
}
export class ForbiddenError extends ApiError {
  constructor(message = 'You are not allowed to perform this request.', data?: Record<string, unknown>) {
    super(403, message, data);
  }
}
export class NotFoundError extends ApiError {
  constructor(message = "The requested resource wasn't found.", data?: Record<string, unknown>) {
    super(404, message, data);
  }
}
export class TooManyRequestsError extends ApiError {
  constructor(message = 'Too Many Requests.', data?: Record<string, unknown>) {
    super(429, message, data);
  }
}
