/** One line per event on stderr; DASH_TS_LOG=silent|error|warn|info|debug (default info). */
export interface Logger {
  /** Routine noise (a client that went away mid-request); optional for custom loggers. */
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

const LEVELS = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;

function threshold(): number {
  const name = (process.env.DASH_TS_LOG ?? 'info') as keyof typeof LEVELS;
  return LEVELS[name] ?? LEVELS.info;
}

function write(level: keyof typeof LEVELS, message: string): void {
  if (LEVELS[level] <= threshold()) process.stderr.write(`[dash-ts] ${level}: ${message}\n`);
}

export const consoleLogger: Logger = {
  debug: (message) => write('debug', message),
  info: (message) => write('info', message),
  warn: (message) => write('warn', message),
  error: (message, error) => {
    const detail =
      error instanceof Error ? `\n${error.stack ?? error.message}` : error ? `\n${String(error)}` : '';
    write('error', `${message}${detail}`);
  },
};
