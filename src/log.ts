// Log lines to stderr (procd and systemd take them to the system log), with a level.
import type { CommonConfig } from './config/types.js';

export type Level = CommonConfig['logLevel'];
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export class Log {
  constructor(public level: Level = 'info', private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n')) {}

  private at(level: Level, msg: string): void {
    if (ORDER[level] <= ORDER[this.level]) this.write(`${level}: ${msg}`);
  }

  error(msg: string): void {
    this.at('error', msg);
  }
  warn(msg: string): void {
    this.at('warn', msg);
  }
  info(msg: string): void {
    this.at('info', msg);
  }
  debug(msg: string): void {
    this.at('debug', msg);
  }
}
