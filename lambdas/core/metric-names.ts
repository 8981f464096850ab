/**
 * The business metrics the run-ended handler emits (CloudWatch Embedded Metric Format), named once:
 * the handler writes them (events/metrics.ts) and the alarms select them (lib/alarms.ts). Every
 * metric carries the `service` dimension; per-kind/outcome/channel variants carry one more.
 */
export const METRICS_SERVICE = 'kong-portal-provisioner';
export const DEFAULT_METRICS_NAMESPACE = 'KongPortalProvisioner';

export const METRIC_NAMES = {
  runsEnded: 'RunsEnded',
  runDuration: 'RunDuration',
  rollbacks: 'Rollbacks',
  cleanupIncomplete: 'CleanupIncomplete',
  reconciled: 'RunsReconciled',
  answersPosted: 'TicketAnswersPosted',
  answersFailed: 'TicketAnswersFailed',
} as const;
