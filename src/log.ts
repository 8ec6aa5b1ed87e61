// Log lines to stderr (procd and systemd take them to the system log), with a level.
import { LOG_LEVELS, type LogLevel } from './config/types.js';

export class Log {
  constructor(public level: LogLevel = 'info', private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n')) {}

  private at(level: LogLevel, msg: string): void {
    if (LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.level)) this.write(`${level}: ${msg}`);
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
