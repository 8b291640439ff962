import type { HttpRequest, HttpRequestOptions, HttpResponse } from '../../../src/adapters/http/http-request.js';
import { redactor } from '../../../src/adapters/http/redaction.js';

/** One scripted answer: a response (status and body, JSON-encoded unless a string) or an error to reject with. */
export type Scripted = { status: number; body?: unknown; contentType?: string; location?: string } | Error;

/**
 * A request function for adapter unit tests: records every request and answers from the script in order (an empty
 * 200 when it runs out), masking `secrets` the way the real transport does.
 */
export function fakeRequest(script: Scripted[], secrets: readonly string[] = []) {
  const calls: HttpRequestOptions[] = [];
  const redact = redactor(secrets);
  const request: HttpRequest = async (options) => {
    calls.push(options);
    const next = script.shift() ?? { status: 200, body: '' };
    if (next instanceof Error) throw next;
    const response: HttpResponse = {
      status: next.status,
      body: typeof next.body === 'string' ? next.body : JSON.stringify(next.body ?? ''),
      contentType: next.contentType ?? 'application/json',
      location: next.location ?? '',
      redact,
    };
    return response;
  };
  return { request, calls };
}
