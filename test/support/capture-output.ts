/**
 * Captures everything written to stdout/stderr (Powertools writes there, not via console.*),
 * so tests can assert that no secret value ever reaches a log line.
 */
import { logger } from '../../lambdas/clients/logger';

export interface CapturedOutput {
  text(): string;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  // Everything the code would log in production (and more) must be visible to the assertion.
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return {
    text: () => chunks.join(''),
    restore: () => {
      spies.forEach((spy) => spy.mockRestore());
      logger.setLogLevel(level);
    },
  };
}

/** Everything an error exposes: message, JSON form, details, stack. */
export function everythingIn(err: unknown): string {
  if (!(err instanceof Error)) return JSON.stringify(err);
  return [
    err.message,
    err.stack ?? '',
    JSON.stringify(err),
    JSON.stringify((err as { details?: unknown }).details ?? {}),
  ].join('\n');
}

/** Runs `fn` with all output captured; returns its result and everything that was written. */
export async function capturing<T>(fn: () => Promise<T>): Promise<{ result: T; text: string }> {
  const output = captureOutput();
  try {
    const result = await fn();
    return { result, text: output.text() };
  } finally {
    output.restore();
  }
}
