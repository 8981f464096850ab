/**
 * cdk-nag's AwsSolutions pack over the ProvisioningStack, wired the way bin/app.ts wires it (a
 * policy-validation plugin), plus proof that the check is live and that every acknowledged rule
 * carries a written reason.
 */
import { App, Stack, Validations, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ProvisioningStack } from '../../lib/stack';

const CONFIG = {
  environmentName: 'test',
  oktaOrgUrl: 'https://example.okta.com',
  kongAdminUrl: 'https://kong-admin.example.com:8444',
  oktaTokenSecretName: 'ops/okta-api-token',
  kongTokenSecretName: 'ops/kong-admin-token',
};

/** An app with cdk-nag registered as bin/app.ts does; CloudFormation schema validation is stack.test's job. */
function appWithNag(): App {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** `rule @ construct path` per violating resource: readable when an assertion fails. */
function findings(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`),
  );
}

/** Synthesizes with the plugin; CDK prints the violation report to stderr, which the test does not need. */
function synthQuietly(app: App): void {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    app.synth();
  } finally {
    spy.mockRestore();
    write.mockRestore();
  }
}

function throwawayQueueStack(acknowledgeSsl: boolean): { app: App; stack: Stack } {
  const app = appWithNag();
  const stack = new Stack(app, 'Throwaway');
  // Deliberately non-compliant: no DLQ (AwsSolutions-SQS3) and no SSL enforcement (AwsSolutions-SQS4).
  const queue = new sqs.Queue(stack, 'Queue');
  if (acknowledgeSsl) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS4',
      reason: 'Throwaway test queue: proves an acknowledgement suppresses exactly its own rule',
    });
  }
  return { app, stack };
}

const app = appWithNag();
const stack = new ProvisioningStack(app, 'Test', { config: CONFIG });

interface Acknowledgement {
  path: string;
  id: string;
  reason: unknown;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no violations on the ProvisioningStack', () => {
    // Intent: the stack meets the AwsSolutions rules, with every exception acknowledged in the code.
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(findings(report)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets the ProvisioningStack synthesize with the plugin registered as in bin/app.ts', () => {
    // Intent: `cdk synth` / `cdk deploy` are not blocked by the policy-validation plugin.
    expect(() => synthQuietly(app)).not.toThrow();
  });

  it('is live: reports a deliberately non-compliant resource and fails its synthesis', () => {
    // Intent: a zero-violation result above means "compliant", not "the check did not run".
    const { app: throwaway, stack: bad } = throwawayQueueStack(false);
    expect(findings(new AwsSolutionsChecks(throwaway).validateScope(bad))).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS4 @ Throwaway/Queue/Resource']),
    );
    expect(() => synthQuietly(throwaway)).toThrow(/AwsSolutions-SQS4/);
  });

  it('honours an acknowledgement for exactly the acknowledged rule', () => {
    // Intent: an acknowledgement is a scoped, per-rule exception, not a blanket mute.
    const { app: throwaway, stack: bad } = throwawayQueueStack(true);
    const reported = findings(new AwsSolutionsChecks(throwaway).validateScope(bad));
    expect(reported).not.toContain('AwsSolutions-SQS4 @ Throwaway/Queue/Resource');
    expect(reported).toContain('AwsSolutions-SQS3 @ Throwaway/Queue/Resource');
  });
});

describe('acknowledged rules on the ProvisioningStack', () => {
  const acknowledgements = acknowledgementsIn(stack);

  it('each carry a written reason of at least 20 characters', () => {
    // Intent: every exception to a rule is explained where it is made, for the next reviewer.
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      const text = typeof reason === 'string' ? reason.trim() : '';
      expect({ path, id, reasonLongEnough: text.length >= 20 }).toEqual({ path, id, reasonLongEnough: true });
    }
  });

  it('name real AwsSolutions rules, and never mute a whole rule for the whole stack', () => {
    // Intent: no acknowledgement is a typo that suppresses nothing, or a blanket mute of a rule everywhere.
    for (const { path, id } of acknowledgements) {
      expect({ path, id }).toEqual({
        path,
        id: expect.stringMatching(/^(Annotation::)?AwsSolutions-[A-Z]+\d+/),
      });
    }
    // At stack (or app) level only finding-specific ones, e.g. `AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]`.
    const stackWide = acknowledgementsIn(app).filter((a) => a.path === '' || a.path === stack.node.path);
    expect(stackWide.filter((a) => !/\[.+\]$/.test(a.id))).toEqual([]);
  });
});
