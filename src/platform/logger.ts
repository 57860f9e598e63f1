import { pino, type Logger } from 'pino';

/**
 * The daemon's logger. Request bodies are never logged; credentials, authorization headers and
 * passwords are redacted wherever they appear in logged objects (D43).
 */
export function createLogger(opts: { level: string; destination?: string }): Logger {
  return pino({
    level: opts.level,
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
        '*.credentials', 'credentials', '*.password', 'password', '*.secret', 'secret',
        'config.clients.*', 'config.callback_secret',
      ],
      censor: 'REDACTED',
    },
    serializers: { err: pino.stdSerializers.err },
  }, opts.destination ? pino.destination({ dest: opts.destination, mkdir: true, sync: false }) : pino.destination({ fd: 2, sync: true }));
}
