import type { LogLevel, Logger } from './ports.js';

export type LogSink = (level: LogLevel, scope: string, message: string, args: unknown[]) => void;

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** A logger that hands every line at or above `minLevel` to `sink`, tagged with its scope. */
export function createLogger(sink: LogSink, scope = 'shared-notes', minLevel: LogLevel = 'info'): Logger {
  const min = LEVELS.indexOf(minLevel);
  const at = (level: LogLevel) => (message: string, ...args: unknown[]) => {
    if (LEVELS.indexOf(level) >= min) sink(level, scope, message, args);
  };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (sub) => createLogger(sink, `${scope}:${sub}`, minLevel),
  };
}

/** For tests and benchmarks that do not care about log lines; collects them for assertions. */
export function memoryLogger(minLevel: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger((level, scope, message, args) => {
    lines.push(`${level} ${scope} ${message}${args.length ? ' ' + args.map(String).join(' ') : ''}`);
  }, 'test', minLevel);
  return Object.assign(logger, { lines });
}
