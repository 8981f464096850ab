/**
 * Okta's reads can miss a resource created moments ago (its reads are eventually consistent; the
 * Okta Terraform provider retries a 404 after create for 10 s). A 404 about something this run
 * created is therefore worth retrying - as a TransientError, so Step Functions (the one retry
 * owner) backs off and tries the step again - while a 404 about anything else stays final.
 */
import { ProvisionerError, TransientError } from '../core/errors';

export async function whileFresh<T>(
  createdByThisRun: boolean,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (createdByThisRun && err instanceof ProvisionerError && err.details.status === 404) {
      throw new TransientError(
        `${err.message} (${what} was created moments ago and Okta's reads are eventually consistent: retrying)`,
        err.details,
      );
    }
    throw err;
  }
}
