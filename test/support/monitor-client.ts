/**
 * For the jobs monitor's tests: a page load that starts, polls, cancels and supersedes background
 * jobs over HTTP as the renderer does, and readers of the monitor's JSON API and Prometheus text.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pageLoad, postUpdate, type UpdateAnswer } from './server-process.ts';

export interface StartedJob {
  output: string;
  input: { id: string; property: string };
  job: string;
  cacheKey: string;
}

/** One page load of an app served at `url`, by a browser that keeps the session cookie it was given. */
export class PageLoad {
  private constructor(
    readonly url: string,
    readonly endId: string,
    /** The anonymous session's Cookie header, when the app set one. */
    readonly cookie: string | undefined,
    /** The user that session names (ctx.user, the jobs' owner). */
    readonly user: string | undefined,
  ) {}

  static async open(url: string): Promise<PageLoad> {
    const { endId, cookie, user } = await pageLoad(url);
    return new PageLoad(url, endId, cookie, user);
  }

  get #headers(): Record<string, string> {
    return this.cookie === undefined ? {} : { Cookie: this.cookie };
  }

  #body(output: string, input: { id: string; property: string }, value: unknown) {
    const [id, property] = output.split('.') as [string, string];
    return {
      output,
      outputs: { id, property },
      inputs: [{ ...input, value }],
      changedPropIds: [`${input.id}.${input.property}`],
    };
  }

  /** The start request: a 200 with the job's handles (and its result, if it ended within the start window), or an error. */
  async request(output: string, input: { id: string; property: string }, value: unknown, extraQuery = '') {
    return postUpdate(
      this.url,
      this.#body(output, input, value),
      `?endId=${this.endId}${extraQuery}`,
      this.#headers,
    );
  }

  /** Starts a job that runs on past the start window. */
  async start(
    output: string,
    input: { id: string; property: string },
    value: unknown,
    extraQuery = '',
  ): Promise<StartedJob> {
    const answer = await this.request(output, input, value, extraQuery);
    assert.equal(answer.status, 200, `start of ${output}`);
    const { job, cacheKey, response } = answer.json as UpdateAnswer;
    assert.ok(job && cacheKey && response === undefined, `not a running job: ${JSON.stringify(answer.json)}`);
    return { output, input, job, cacheKey };
  }

  /** Polls until the job answers with its result (200 with `response`) or ends otherwise (204, 500). */
  async finish(job: StartedJob, timeoutMs = 30_000): Promise<{ status: number; json?: UpdateAnswer }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await postUpdate(
        this.url,
        this.#body(job.output, job.input, null),
        `?endId=${this.endId}&cacheKey=${job.cacheKey}&job=${job.job}`,
        this.#headers,
      );
      if (answer.status !== 200 || answer.json?.response !== undefined) return answer;
      if (Date.now() > deadline) assert.fail(`job ${job.job} of ${job.output} did not end`);
      await sleep(50);
    }
  }

  /** Starts a job and polls it to its end. */
  async run(output: string, input: { id: string; property: string }, value: unknown) {
    const answer = await this.request(output, input, value);
    const { job, cacheKey, response } = answer.json ?? {};
    if (answer.status !== 200 || response !== undefined) return answer;
    assert.ok(job && cacheKey, `no handles in ${JSON.stringify(answer.json)}`);
    return this.finish({ output, input, job, cacheKey });
  }

  /** Clicks a cancel button of the page for this job (the hidden cancel callback). */
  async cancel(cancelButton: string, job: StartedJob): Promise<void> {
    const answer = await postUpdate(
      this.url,
      {
        output: `${cancelButton}.id`,
        outputs: { id: cancelButton, property: 'id' },
        inputs: [{ id: cancelButton, property: 'n_clicks', value: 1 }],
        changedPropIds: [`${cancelButton}.n_clicks`],
      },
      `?endId=${this.endId}&cancelJob=${job.job}`,
      this.#headers,
    );
    assert.equal(answer.status, 200);
  }
}

export interface MonitorJob {
  id: string;
  callbackId: string;
  state: string;
  outcome?: string;
  worker?: string;
  attempts: number;
  user?: string;
}

export interface MonitorApi {
  totals: { queued: number; running: number; finished: Record<string, number> };
  callbacks: { callbackId: string; queued: number; running: number; finished: Record<string, number> }[];
  workers: { id: string; host: string; pid: number; status: string; runningJobs: string[] }[];
  active: MonitorJob[];
  failures: (MonitorJob & { message: string; stack?: string })[];
  jobs: MonitorJob[];
}

export function monitorHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export async function monitorApi(url: string, token: string, path = '/_dash-ts/jobs'): Promise<MonitorApi> {
  const response = await fetch(`${url}${path}/api/jobs`, { headers: monitorHeaders(token) });
  assert.equal(response.status, 200);
  return (await response.json()) as MonitorApi;
}

/** Polls the monitor's API until `check` holds. */
export async function monitorUntil(
  url: string,
  token: string,
  check: (api: MonitorApi) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<MonitorApi> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const api = await monitorApi(url, token);
    if (check(api)) return api;
    if (Date.now() > deadline) assert.fail(`the monitor never showed ${what}: ${JSON.stringify(api)}`);
    await sleep(100);
  }
}

/** One sample of Prometheus text: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of Prometheus text exposition (format 0.0.4): HELP and TYPE lines, then samples
 * `name{label="value",...} number`. Any other line fails the test.
 */
export function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const labelText = sample[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
    let consumed = 0;
    for (const match of labelText.matchAll(labelPattern)) {
      labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = match.index + match[0].length;
    }
    assert.equal(consumed, labelText.length, `bad labels in ${JSON.stringify(line)}`);
    const value = sample[3] === '+Inf' ? Infinity : Number(sample[3]);
    assert.ok(!Number.isNaN(value), `bad value in ${JSON.stringify(line)}`);
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(sample[1]!) || types.has(family), `sample before its TYPE: ${line}`);
    samples.push({ name: sample[1]!, labels, value });
  }
  return { types, samples };
}

export async function scrape(url: string, token: string): Promise<ReturnType<typeof parsePrometheus>> {
  const response = await fetch(`${url}/_dash-ts/jobs/metrics`, { headers: monitorHeaders(token) });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

/** The value of one sample (0 when absent). */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}
