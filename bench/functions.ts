/**
 * Every function the stack deploys, read from the stack itself (built without bundling, with both
 * ticket systems so the webhook functions exist): name, kind, entry, catalogue access, and the
 * environment it is given, with CloudFormation references replaced by stand-ins (module init may
 * parse them; it never calls AWS).
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProvisionerFunction, type FunctionKind } from '../lib/provisioner-function';
import { ProvisioningStack } from '../lib/stack';
import type { SecretAccess } from '../lambdas/steps/catalogue';
import { TICKETS_CONFIG } from '../test/support/ticket-config';

export interface DeployedFunction {
  name: string;
  kind: FunctionKind;
  entry: string;
  access: readonly SecretAccess[];
  environment: Record<string, string>;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A template value as a plausible deployed string: references become fixed stand-ins. */
function standIn(value: Json): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(standIn).join(',');
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map(standIn).join(separator);
  }
  if ('Ref' in value) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': '123456789012',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    return (
      pseudo[String(value.Ref)] ?? `arn:aws:cloudformation:eu-west-1:123456789012:ref/${String(value.Ref)}`
    );
  }
  if ('Fn::GetAtt' in value) {
    const [id] = value['Fn::GetAtt'] as [string, string];
    return `arn:aws:cloudformation:eu-west-1:123456789012:getatt/${id}`;
  }
  return JSON.stringify(value);
}

export function deployedFunctions(): DeployedFunction[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ProvisioningStack(app, 'ColdStart', { config: TICKETS_CONFIG });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties?: { Environment?: { Variables?: Record<string, Json> } } }
  >;
  return stack.node
    .findAll()
    .filter((c): c is ProvisionerFunction => c instanceof ProvisionerFunction)
    .map((f) => {
      const id = stack.getLogicalId(f.fn.node.defaultChild as CfnElement);
      const variables = resources[id]?.Properties?.Environment?.Variables ?? {};
      return {
        name: f.name,
        kind: f.kind,
        entry: f.entry,
        access: f.access,
        environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, standIn(v)])),
      };
    });
}
