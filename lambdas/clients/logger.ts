/**
 * One structured logger for every function (Powertools: JSON lines with the Lambda context).
 * Log identifiers and outcomes only; values that could be secrets are never passed in.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'kong-portal-provisioner' });
