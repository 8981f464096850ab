// Intent: when API Gateway itself refuses a request (body or parameters fail the model), the
// answer is valid JSON in our error shape - whatever the input, quotes included. The template is
// rendered the way API Gateway does: `$util.escapeJavaScript` escapes with JavaScript string rules,
// which turns every ' into \' - not valid in JSON (AWS, "API Gateway mapping template and access
// logging variable reference", $util.escapeJavaScript: "the escaped single quotes are not valid in
// JSON ... you must turn any escaped single quotes (\') back to regular single quotes (')").
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProvisioningStack } from '../../lib/stack';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new ProvisioningStack(app, 'Gateway', {
  config: {
    environmentName: 'test',
    oktaOrgUrl: 'https://example.okta.com',
    kongAdminUrl: 'https://kong.example.com:8444',
    oktaTokenSecretName: 'ops/okta',
    kongTokenSecretName: 'ops/kong',
  },
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const templates = Object.values(resources)
  .filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse')
  .map((r) => ({
    type: String(r.Properties.ResponseType),
    template: String((r.Properties.ResponseTemplates as Record<string, string>)['application/json']),
  }));

/** Java-style JavaScript escaping, as API Gateway's $util.escapeJavaScript does it. */
function escapeJavaScript(text: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what is escaped
  return text.replace(/[\\'"/\b\f\n\r\t]|[\u0000-\u001f]/g, (c) => {
    const named: Record<string, string> = {
      '\\': '\\\\',
      "'": "\\'",
      '"': '\\"',
      '/': '\\/',
      '\b': '\\b',
      '\f': '\\f',
      '\n': '\\n',
      '\r': '\\r',
      '\t': '\\t',
    };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Renders the two VTL forms the templates may use, with Java's String.replaceAll for the second. */
function render(template: string, validationErrorString: string): string {
  return template.replace(
    /\$util\.escapeJavaScript\(\$context\.error\.validationErrorString\)(?:\.replaceAll\("((?:[^"\\]|\\.)*)","((?:[^"\\]|\\.)*)"\))?/g,
    (_m, from?: string, to?: string) => {
      const escaped = escapeJavaScript(validationErrorString);
      if (from === undefined || to === undefined) return escaped;
      // Velocity passes "\\'" to Java as those three characters; as a Java (and JS) regex they match \'.
      return escaped.replace(new RegExp(from, 'g'), to);
    },
  );
}

it('has the two gateway refusals a client can trigger with its input', () => {
  expect(templates.map((t) => t.type).sort()).toEqual(['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS']);
});

it.each([
  "[instance value ('it's') not found in enum (possible values: [\"a\"])]",
  'object has missing required properties (["oktaGroups","workspace"])',
  'string "O\'Brien\\\\" does not match pattern "^[a-z]+$"\n\t/ done',
])('renders valid JSON in our error shape for %j', (validationErrorString) => {
  for (const { template } of templates) {
    const body = JSON.parse(render(template, validationErrorString)) as Record<string, unknown>;
    expect(body).toEqual({
      error: 'ValidationError',
      message: `Invalid request: ${validationErrorString}`,
      issues: [{ field: '', reason: validationErrorString }],
    });
  }
});
