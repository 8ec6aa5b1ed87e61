// ubus status codes (`enum ubus_msg_status` in ubusmsg.h) and the error that carries one.
// The texts are libubus's `ubus_strerror`, so messages read like the `ubus` CLI's.

export const UbusStatus = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
  CONNECTION_FAILED: 10,
  NO_MEMORY: 11,
  PARSE_ERROR: 12,
  SYSTEM_ERROR: 13,
} as const;

export type UbusStatusKey = keyof typeof UbusStatus;

const TEXT: readonly string[] = [
  'Success',
  'Invalid command',
  'Invalid argument',
  'Method not found',
  'Not found',
  'No response',
  'Permission denied',
  'Request timed out',
  'Operation not supported',
  'Unknown error',
  'Connection failed',
  'Out of memory',
  'Parsing message data failed',
  'System error',
];

const KEYS = Object.keys(UbusStatus) as UbusStatusKey[];

export function statusText(code: number): string {
  return TEXT[code] ?? `Unknown error: ${code}`;
}

// `name` is ubus's own constant (UBUS_STATUS_NOT_FOUND, ...), so callers can branch on
// either `code` or `name`. A code newer than this table keeps its number and is named
// UBUS_STATUS_UNKNOWN_ERROR.
export class UbusError extends Error {
  override readonly name: `UBUS_STATUS_${UbusStatusKey}`;

  constructor(
    readonly code: number,
    context?: string,
  ) {
    super(context ? `${context}: ${statusText(code)}` : statusText(code));
    this.name = `UBUS_STATUS_${KEYS[code] ?? 'UNKNOWN_ERROR'}`;
  }
}
