/**
 * Runs an ordinary callback for one request and decides Dash's answer:
 * 200 with outputs and side updates, 204 for PreventUpdate, or a failure for the 500 page.
 */
import { PreventUpdate } from '../base/errors.ts';
import { buildContext, callbackArguments, contextSource, type RequestInfo, SideUpdates } from './context.ts';
import { type OutputResponse, outputResponse } from './outputs.ts';
import type { CallbackRequest } from './request.ts';
import { ResponseSettings } from './response.ts';
import type { ErrorHandler } from './spec.ts';

export interface UpdateBody {
  multi: true;
  response: OutputResponse;
  sideUpdate?: Record<string, Record<string, unknown>>;
}

/** `response` holds the cookies and headers the callback set through `ctx.response`. */
export type CallbackOutcome =
  | { kind: 'update'; body: UpdateBody; response: ResponseSettings }
  | { kind: 'no-content'; response: ResponseSettings }
  | { kind: 'failure'; error: Error };

export async function runCallback(
  request: CallbackRequest,
  info: RequestInfo,
  appOnError: ErrorHandler | undefined,
): Promise<CallbackOutcome> {
  const { callback } = request;
  const sideUpdates = new SideUpdates();
  const response = new ResponseSettings();
  const ctx = buildContext({
    source: contextSource(request, info),
    setProps: (id, props) => sideUpdates.set(id, props),
    response,
  });
  const args = callbackArguments(callback.slots, callback.recordStyle, request);
  try {
    let result: unknown;
    try {
      result = await callback.fn(...args, ctx);
    } catch (error) {
      if (error instanceof PreventUpdate) throw error;
      const handler = callback.onError ?? appOnError;
      if (!handler) throw error;
      result = await handler(asError(error), ctx);
      if (result === undefined) return finish(request, {}, sideUpdates, response);
    }
    return finish(request, outputResponse(callback, request.outputs, result), sideUpdates, response);
  } catch (error) {
    if (error instanceof PreventUpdate) return { kind: 'no-content', response };
    return { kind: 'failure', error: asError(error) };
  }
}

function finish(
  request: CallbackRequest,
  response: OutputResponse,
  sideUpdates: SideUpdates,
  settings: ResponseSettings,
): CallbackOutcome {
  if (request.callback.outputMode === 'none' && sideUpdates.isEmpty)
    return { kind: 'no-content', response: settings };
  const body: UpdateBody = { multi: true, response };
  if (!sideUpdates.isEmpty) body.sideUpdate = sideUpdates.toJSON();
  return { kind: 'update', body, response: settings };
}

export function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : `non-Error thrown: ${String(value)}`);
}
