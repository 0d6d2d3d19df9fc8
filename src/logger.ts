import pino from 'pino';

/**
 * Structured JSON logs. Personal data must never be logged; these paths are redacted in case a
 * caller passes an object that carries them.
 */
export const REDACTED_PATHS = [
  'text', '*.text', 'phone', '*.phone', 'line', '*.line', 'email', '*.email', 'document', '*.document',
  'documentNumber', '*.documentNumber', 'fullName', '*.fullName', 'name', '*.name', 'address', '*.address',
  'notifyAddress', '*.notifyAddress', 'description', '*.description', 'req.headers.authorization',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'pqr-bot' } }, destination);
}
