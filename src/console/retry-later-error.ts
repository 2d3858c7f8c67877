/** A 429 TOO_MANY_REQUESTS that knows when to come back, so the console API can send `Retry-After`. */
import { AppError } from '../errors.ts';

export class RetryLaterError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(what: string, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('TOO_MANY_REQUESTS', `${what} Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`);
    this.retryAfterSeconds = seconds;
  }
}
