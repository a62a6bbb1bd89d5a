/**
 * A background callback's side of `app.callback(spec, fn)`: its options as the user writes them
 * (`CallbackSpec`, the public shape), as the orchestrator and managers read them
 * (`BackgroundOptions`), and the rules between the two, which the app hands to the callback
 * registry (callbacks/ sits below background/ and never imports it).
 */
import { callerModule } from '../app-module/caller-module.ts';
import { CallbackDefinitionError } from '../base/errors.ts';
import type { Input, Output } from '../callbacks/dependencies.ts';
import { InputDependency, OutputDependency } from '../callbacks/dependencies.ts';
import type {
  BackgroundBasics,
  BackgroundDefinitions,
  CallbackRegistry,
  RegisteredCallback,
} from '../callbacks/registry.ts';
import type { CallbackSpecBase } from '../callbacks/spec.ts';
import { JOB_OPTION_NAMES, type JobOptions } from './job-options/options.ts';
import { type PagePolicy, pagePolicyFromSpec } from './job-options/page-leave.ts';
import { policyFromSpec } from './job-options/policy.ts';
import { defaultQueueStatusFormat, type QueueStatusFormat } from './job-options/queue-status.ts';
import type { JobPolicy, Manager } from './manager.ts';
import { registrar } from './registrar.ts';
import { isStreamingFunction } from './streaming/stream.ts';

/** The public shape of `app.callback(spec, fn)`: what a user writes. */
export interface CallbackSpec extends CallbackSpecBase, JobOptions {
  background?: boolean;
  manager?: Manager;
  progress?: Output | Output[];
  progressDefault?: unknown;
  cancel?: Input | Input[];
  /** Milliseconds between polls of a background callback; default 1000, 0 allowed. */
  interval?: number;
  cacheArgsToIgnore?: (number | string)[];
  cacheIgnoreTriggered?: boolean;
  /**
   * The job is its user's, not its page's: a later page load of that user shows the newest such
   * job of this callback (same output ids) that is running, or that finished less than `keep`
   * seconds ago (default 3600). See reattach.ts.
   */
  reattach?: boolean | { keep?: number };
}

export interface BackgroundOptions extends BackgroundBasics {
  progressDefault: unknown[] | undefined;
  cacheArgsToIgnore: (number | string)[];
  cacheIgnoreTriggered: boolean;
  manager: CallbackSpec['manager'];
  /** Time limit, retries, priority: what the manager runs the job with. */
  policy: JobPolicy;
  /**
   * whenPageLeaves and supersede (job-options/page-leave.ts). The orchestrator turns
   * whenPageLeaves 'cancel' into the policy's pageLeftAfterMs when a page starts a job.
   */
  page: PagePolicy;
  /** Where a waiting job's place in line is shown, and how. */
  queueStatus: { output: Output; format: QueueStatusFormat } | undefined;
  /** The registrar key of the job function (workers find the function by it). */
  functionKey: string;
  /** A generator function: its yields stream to the page (streaming/). */
  streams: boolean;
  /**
   * An ordinary (not `background: true`) streaming callback: it runs in the server process, and
   * is served through the background protocol so that its yields reach the page.
   */
  inServer: boolean;
  /** `reattach`: how long a finished job stays for its user's later page loads; undefined: off. */
  reattach: { keepSeconds: number } | undefined;
}

/** A callback of the app, with its background options as background/ reads them. */
export type AppCallback = RegisteredCallback<BackgroundOptions>;
export type AppCallbackRegistry = CallbackRegistry<BackgroundOptions>;

const DEFAULT_INTERVAL_MS = 1000;
/** `reattach: true` keeps a finished job for its user's page loads this long. */
const DEFAULT_KEEP_SECONDS = 3600;
/**
 * A stream's default poll interval: the renderer waits this long after each answer before it
 * polls again (the poll is then held until the next yield), so it bounds how stale a page is.
 */
const STREAM_INTERVAL_MS = 50;

/** The rules the app's callback registry makes background options with. */
export const backgroundDefinitions: BackgroundDefinitions<BackgroundOptions> = {
  normalise(base, fn) {
    // Every background option is optional: any spec is a CallbackSpec.
    const spec: CallbackSpec = base;
    const streams = isStreamingFunction(fn);
    if (spec.background) return normaliseBackground(spec, streams, false);
    if (streams) {
      // An ordinary stream takes the background options too (cancel, progress, timeout...), but
      // it runs in the server process: it has no manager to choose.
      if (spec.manager !== undefined) {
        throw new CallbackDefinitionError(
          'manager: an ordinary streaming callback runs in the server process; set background: true to choose a manager',
        );
      }
      return normaliseBackground(spec, true, true);
    }
    rejectBackgroundOnlyOptions(spec);
    return undefined;
  },
  register(options, callback) {
    options.functionKey = registrar.register({
      callbackId: callback.id,
      fn: callback.fn,
      definedIn: callerModule(),
      progressCount: options.progress.length,
      recordStyle: callback.recordStyle,
      outputMode: callback.outputMode,
      outputs: callback.outputs.map(String),
    }).key;
  },
};

function normaliseBackground(spec: CallbackSpec, streams: boolean, inServer: boolean): BackgroundOptions {
  const interval = spec.interval ?? (streams ? STREAM_INTERVAL_MS : DEFAULT_INTERVAL_MS);
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    throw new CallbackDefinitionError(
      `interval must be a number of milliseconds >= 0, got ${String(interval)}`,
    );
  }
  const progress =
    spec.progress === undefined ? [] : Array.isArray(spec.progress) ? spec.progress : [spec.progress];
  const cancel = spec.cancel === undefined ? [] : Array.isArray(spec.cancel) ? spec.cancel : [spec.cancel];
  for (const dep of [...progress, ...cancel]) {
    if (dep.isPattern && dep.wildcards().length > 0) {
      throw new CallbackDefinitionError(
        `background progress/cancel dependencies must not use wildcards (${dep})`,
      );
    }
  }
  progress.forEach((p, i) => {
    if (!(p instanceof OutputDependency))
      throw new CallbackDefinitionError(`progress[${i}] must be an Output(...)`);
  });
  cancel.forEach((c, i) => {
    if (!(c instanceof InputDependency))
      throw new CallbackDefinitionError(`cancel[${i}] must be an Input(...)`);
  });
  const reattach = normaliseReattach(spec, inServer);
  let progressDefault: unknown[] | undefined;
  if (spec.progressDefault !== undefined) {
    progressDefault =
      progress.length > 1 && Array.isArray(spec.progressDefault)
        ? spec.progressDefault
        : [spec.progressDefault];
    if (progressDefault.length !== progress.length) {
      throw new CallbackDefinitionError(
        `progressDefault needs one value per progress output (${progress.length})`,
      );
    }
  }
  return {
    interval,
    progress,
    progressDefault,
    cancel,
    cacheArgsToIgnore: spec.cacheArgsToIgnore ?? [],
    cacheIgnoreTriggered: spec.cacheIgnoreTriggered ?? true,
    manager: spec.manager,
    policy: policyFromSpec(spec),
    page: pagePolicyFromSpec(spec, streams, reattach !== undefined),
    queueStatus: normaliseQueueStatus(spec),
    functionKey: '',
    streams,
    inServer,
    reattach,
    servesInitialCall: reattach !== undefined,
  };
}

function normaliseReattach(spec: CallbackSpec, inServer: boolean): BackgroundOptions['reattach'] {
  const { reattach } = spec;
  if (reattach === undefined || reattach === false) return undefined;
  if (inServer) {
    throw new CallbackDefinitionError(
      'reattach: an ordinary streaming callback lives in its page; set background: true to reattach to its jobs',
    );
  }
  if (reattach === true) return { keepSeconds: DEFAULT_KEEP_SECONDS };
  if (typeof reattach !== 'object' || reattach === null || Array.isArray(reattach)) {
    throw new CallbackDefinitionError('reattach must be true, false or { keep?: seconds }');
  }
  const keep = reattach.keep ?? DEFAULT_KEEP_SECONDS;
  if (typeof keep !== 'number' || !Number.isFinite(keep) || keep <= 0) {
    throw new CallbackDefinitionError(`reattach.keep must be a number of seconds > 0, got ${String(keep)}`);
  }
  return { keepSeconds: keep };
}

function normaliseQueueStatus(spec: CallbackSpec): BackgroundOptions['queueStatus'] {
  const { queueStatus, queueStatusFormat } = spec;
  if (queueStatusFormat !== undefined && typeof queueStatusFormat !== 'function') {
    throw new CallbackDefinitionError(
      'queueStatusFormat must be a function ({ position, etaSeconds }) => value',
    );
  }
  if (queueStatus === undefined) {
    if (queueStatusFormat !== undefined)
      throw new CallbackDefinitionError('queueStatusFormat needs queueStatus');
    return undefined;
  }
  if (
    !(queueStatus instanceof OutputDependency) ||
    (queueStatus.isPattern && queueStatus.wildcards().length > 0)
  ) {
    throw new CallbackDefinitionError('queueStatus must be an Output(...) without wildcards');
  }
  return { output: queueStatus, format: queueStatusFormat ?? defaultQueueStatusFormat };
}

function rejectBackgroundOnlyOptions(spec: CallbackSpec): void {
  const backgroundOnly = [
    'manager',
    'progress',
    'progressDefault',
    'cancel',
    'interval',
    'cacheArgsToIgnore',
    'cacheIgnoreTriggered',
    'reattach',
    ...JOB_OPTION_NAMES,
  ] as const;
  const used = backgroundOnly.filter((key) => spec[key] !== undefined);
  if (used.length > 0) {
    throw new CallbackDefinitionError(
      `${used.join(', ')} only apply to background callbacks (background: true)`,
    );
  }
}
