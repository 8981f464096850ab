/**
 * AWS list prices (US East, N. Virginia) and what a provisioning costs at them. Read from the
 * pricing pages on 2026-12-01; free tiers ignored (a platform account has other workloads).
 */

export const PRICES = {
  region: 'us-east-1',
  readOn: '2026-12-01',
  stepFunctionsPerStateTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** Arm64, first tier. */
  lambdaPerGbSecond: 0.0000133334,
  secretsManagerPerSecretMonth: 0.4,
  secretsManagerPerApiCall: 0.05 / 10_000,
  apiGatewayRestPerRequest: 3.5 / 1_000_000,
  dynamoDbPerWriteRequest: 0.625 / 1_000_000,
  dynamoDbPerReadRequest: 0.125 / 1_000_000,
  dynamoDbPerGbMonth: 0.25,
  sources: [
    'https://aws.amazon.com/step-functions/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  ],
} as const;

export interface RunUsage {
  stateTransitions: number;
  /** Step functions plus the API call that started the run and the run-ended handler. */
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  secretsManagerCalls: number;
  apiRequests: number;
  dynamoDbWrites: number;
  dynamoDbReads: number;
}

export interface CostPerThousand {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  secretsManagerCalls: number;
  apiGateway: number;
  dynamoDb: number;
  total: number;
}

const cents = (usd: number) => Math.round(usd * 10_000) / 10_000;

export function costPerThousand(run: RunUsage): CostPerThousand {
  const parts = {
    stepFunctions: run.stateTransitions * PRICES.stepFunctionsPerStateTransition * 1000,
    lambdaRequests: run.lambdaInvocations * PRICES.lambdaPerRequest * 1000,
    lambdaDuration: run.lambdaGbSeconds * PRICES.lambdaPerGbSecond * 1000,
    secretsManagerCalls: run.secretsManagerCalls * PRICES.secretsManagerPerApiCall * 1000,
    apiGateway: run.apiRequests * PRICES.apiGatewayRestPerRequest * 1000,
    dynamoDb:
      (run.dynamoDbWrites * PRICES.dynamoDbPerWriteRequest +
        run.dynamoDbReads * PRICES.dynamoDbPerReadRequest) *
      1000,
  };
  const rounded = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, cents(v)])) as Omit<
    CostPerThousand,
    'total'
  >;
  return { ...rounded, total: cents(Object.values(parts).reduce((a, b) => a + b, 0)) };
}

/** What a provisioned workspace costs every month while it exists: the secrets kept, its records. */
export function standingPerMonth(secretsKept: number, recordBytes: number) {
  return {
    secrets: cents(secretsKept * PRICES.secretsManagerPerSecretMonth),
    dynamoDb: (recordBytes * PRICES.dynamoDbPerGbMonth) / 1024 ** 3,
    total: cents(
      secretsKept * PRICES.secretsManagerPerSecretMonth +
        (recordBytes * PRICES.dynamoDbPerGbMonth) / 1024 ** 3,
    ),
  };
}
