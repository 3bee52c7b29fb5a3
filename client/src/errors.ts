// The one error the client throws: the API's error body (code, message, per-field problems, request id)
// with the HTTP status and, for 429/503, how long the server asked to wait.
import type { ErrorBody } from './types.ts';

export class LlmrecError extends Error {
  override readonly name = 'LlmrecError';
  constructor(
    /** HTTP status; 0 when no response arrived (network error, CORS refusal, abort). */
    readonly status: number,
    /** Machine-readable code, e.g. bad_request, rate_limited, origin_not_allowed, network. */
    readonly code: string,
    message: string,
    readonly problems: ErrorBody['problems'] = undefined,
    readonly requestId: string | undefined = undefined,
    /** Seconds from Retry-After when the server sent one. */
    readonly retryAfter: number | undefined = undefined,
  ) {
    super(message);
  }
}
