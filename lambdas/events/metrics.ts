/**
 * Business metrics of ended runs, as CloudWatch Embedded Metric Format (Powertools Metrics): one JSON
 * line per invocation that CloudWatch Logs turns into metrics, no PutMetricData calls. Metric names
 * are defined once in core/metric-names.ts; lib/alarms.ts builds its alarms from the same names.
 *
 *   RunsEnded            count, also per kind (provision|teardown) x outcome (final request status)
 *   RunDuration          milliseconds from start to stop, per kind
 *   Rollbacks            provisionings that failed and were rolled back (cleanly or not)
 *   CleanupIncomplete    runs that ended with something possibly left behind (any reason)
 *   RunsReconciled       runs whose outcome this handler recorded (timed out, aborted, Finalize failed)
 *   TicketAnswersPosted  answers posted on a ticket, per channel
 *   TicketAnswersFailed  attempts to answer that failed after their retries, per channel
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES, METRICS_SERVICE } from '../core/metric-names';

export { METRIC_NAMES };

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

const SERVICE = METRICS_SERVICE;

export interface RunMetrics {
  runEnded(kind: string, outcome: string, durationMs: number | undefined): void;
  rollback(): void;
  cleanupIncomplete(kind: string): void;
  reconciled(outcome: string): void;
  answerPosted(channel: string): void;
  answerFailed(channel: string): void;
  /** Writes what was recorded (once per invocation). */
  flush(): void;
}

/** Where EMF documents go: stdout in Lambda (CloudWatch Logs reads them), a list in local mode. */
export type EmfSink = (document: Record<string, unknown>) => void;

export function powertoolsMetrics(namespace: string, sink?: EmfSink): RunMetrics {
  const metrics = new Metrics({ namespace, serviceName: SERVICE });
  /** A metric with its own extra dimension, emitted as a document of its own. */
  /** A metric with its own extra dimensions: a document of its own (EMF dimension sets are per document). */
  const withDimension = (
    name: string,
    dimension: Record<string, string>,
    value: number,
    unit: Unit = MetricUnit.Count,
  ) => {
    const single = new Metrics({ namespace, serviceName: SERVICE });
    single.addDimensions(dimension);
    single.addMetric(name, unit, value);
    if (sink) {
      sink(single.serializeMetrics());
      single.clearMetrics();
    } else single.publishStoredMetrics();
  };
  return {
    runEnded(kind, outcome, durationMs) {
      metrics.addMetric(METRIC_NAMES.runsEnded, MetricUnit.Count, 1);
      withDimension(METRIC_NAMES.runsEnded, { kind, outcome }, 1);
      if (durationMs !== undefined)
        withDimension(METRIC_NAMES.runDuration, { kind }, durationMs, MetricUnit.Milliseconds);
    },
    rollback: () => metrics.addMetric(METRIC_NAMES.rollbacks, MetricUnit.Count, 1),
    cleanupIncomplete(kind) {
      metrics.addMetric(METRIC_NAMES.cleanupIncomplete, MetricUnit.Count, 1);
      withDimension(METRIC_NAMES.cleanupIncomplete, { kind }, 1);
    },
    reconciled: (outcome) => withDimension(METRIC_NAMES.reconciled, { outcome }, 1),
    answerPosted(channel) {
      metrics.addMetric(METRIC_NAMES.answersPosted, MetricUnit.Count, 1);
      withDimension(METRIC_NAMES.answersPosted, { channel }, 1);
    },
    answerFailed(channel) {
      metrics.addMetric(METRIC_NAMES.answersFailed, MetricUnit.Count, 1);
      withDimension(METRIC_NAMES.answersFailed, { channel }, 1);
    },
    flush() {
      if (!metrics.hasStoredMetrics()) return;
      if (sink) {
        sink(metrics.serializeMetrics());
        metrics.clearMetrics();
      } else metrics.publishStoredMetrics();
    },
  };
}
