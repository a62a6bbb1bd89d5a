/**
 * Which manager serves a callback: its own, else the app's, else the embedded default
 * (an SqliteManager with default options, created on first use and announced once in the log).
 * The orchestrator asks here and never knows which backend it talks to.
 */
import type { Logger } from '../base/log.ts';
import type { AppCallback } from './callback-spec.ts';
import { InProcessManager } from './in-process/index.ts';
import type { Manager } from './manager.ts';
import { SqliteManager } from './sqlite/index.ts';

export class ManagerProvider {
  #embedded: Manager | undefined;
  /** Runs ordinary (not background) streaming callbacks in this server process. */
  #serverStreams: Manager | undefined;
  readonly #starting = new Map<Manager, Promise<Manager>>();

  constructor(
    private readonly appManager: Manager | undefined,
    private readonly logger: Logger,
    private readonly appModule: () => string | undefined,
    private readonly appName?: string,
    private readonly jobFunctionKeys?: () => readonly string[],
    /** Runs once per manager after it started (the jobs monitor turns recording on there). */
    private readonly onStarted?: (manager: Manager) => Promise<void>,
  ) {}

  /** The manager of a background callback, started. */
  managerFor(callback: AppCallback): Promise<Manager> {
    return this.#started(this.#managerOf(callback));
  }

  #managerOf(callback: AppCallback): Manager {
    if (callback.background?.inServer) {
      // As many as the pages start, like ordinary callbacks (page limits still apply). A stream
      // whose page stopped polling is ended (its generator's finally runs): streams default to
      // whenPageLeaves 'cancel' (job-options/page-leave.ts).
      this.#serverStreams ??= new InProcessManager({ concurrency: Number.MAX_SAFE_INTEGER });
      return this.#serverStreams;
    }
    return callback.background?.manager ?? this.appLevel();
  }

  /** The app's manager (or the embedded default): it also keeps the app's signing secret. */
  appLevel(): Manager {
    if (this.appManager) return this.appManager;
    let embedded = this.#embedded;
    if (!embedded) {
      embedded = this.#embedded = new SqliteManager();
      this.logger.info(
        'background callbacks use the embedded SqliteManager (.dash-ts/background.db); pass backgroundManager to choose another',
      );
    }
    return embedded;
  }

  startedAppLevel(): Promise<Manager> {
    return this.#started(this.appLevel());
  }

  /** Starts every manager the given callbacks use (warm workers before the first request). */
  async startAll(callbacks: AppCallback[]): Promise<void> {
    await Promise.all(callbacks.filter((c) => c.background).map((c) => this.managerFor(c)));
  }

  /** The distinct managers the given callbacks use, each started. */
  async startedFor(callbacks: AppCallback[]): Promise<Manager[]> {
    const managers = new Set(callbacks.filter((c) => c.background).map((c) => this.#managerOf(c)));
    return Promise.all([...managers].map((m) => this.#started(m)));
  }

  /** The managers that have started so far. */
  async started(): Promise<Manager[]> {
    const settled = await Promise.allSettled(this.#starting.values());
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  async closeAll(): Promise<void> {
    const managers = [...this.#starting.keys()];
    this.#starting.clear();
    await Promise.allSettled(managers.map((m) => m.close()));
  }

  #started(manager: Manager): Promise<Manager> {
    let starting = this.#starting.get(manager);
    if (!starting) {
      starting = manager
        .start({
          appModule: this.appModule(),
          logger: this.logger,
          appName: this.appName,
          jobFunctionKeys: this.jobFunctionKeys,
        })
        .then(async () => {
          await this.onStarted?.(manager).catch((error) => {
            this.logger.error(`could not set up the ${manager.kind} manager for the jobs monitor`, error);
          });
          return manager;
        });
      starting.catch((error) => {
        this.#starting.delete(manager);
        this.logger.error(`the ${manager.kind} background manager failed to start`, error);
      });
      this.#starting.set(manager, starting);
    }
    return starting;
  }
}
