import type { LoggerService } from '@nestjs/common';
import type { Level, Logger as Pino } from 'pino';

/** Nest's level names → pino's. */
const LEVELS = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
} as const satisfies Record<string, Level>;

/**
 * The app's logger: Nest's LoggerService over one pino instance of the app's own (`root`, built
 * by PlatformModule from `loggingOptions`). Each app owns its logger — two apps in one process
 * (tests, a worker beside an API) each write to their own stream at their own level, which
 * nestjs-pino's process-wide root logger did not allow.
 *
 * Nest's calls map the way its ConsoleLogger reads them: the last extra argument is the
 * context (`new Logger('Orders').log(...)` → `"context":"Orders"`), an object or Error message
 * becomes the line's fields (`err` for an Error), and the `error(message, stack, context)` form
 * of Nest's exception handlers becomes an `err` with that stack.
 */
export class AppLogger implements LoggerService {
  constructor(readonly root: Pino) {}

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.verbose, message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.debug, message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.log, message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.warn, message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.error, message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write(LEVELS.fatal, message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const args = rest.length ? rest.slice(0, -1) : rest;
    if (rest.length) fields.context = rest.at(-1);
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, ...(args as []));
    } else if (message !== null && typeof message === 'object') {
      this.root[level](Object.assign(fields, message), ...(args as []));
    } else if (level === 'error' && isStack(args)) {
      const err = new Error(String(message));
      err.stack = args[0];
      fields.err = err;
      this.root.error(fields);
    } else {
      this.root[level](fields, String(message), ...(args as []));
    }
  }
}

/** `error(message, stack, context)`: Nest's exception handlers pass the stack as a string. */
function isStack(args: unknown[]): args is [string] {
  return args.length === 1 && typeof args[0] === 'string' && /\n\s*at /.test(args[0]);
}
