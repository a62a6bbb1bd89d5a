/** `<path>/api/jobs`: the monitor's view as JSON (documented in the README, "Jobs monitor"). */
import type { MonitorView } from './view.ts';

export function apiResponse(view: MonitorView): Response {
  return new Response(JSON.stringify(view), {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}
