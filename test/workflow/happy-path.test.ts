// Intent: one execution of the real state machine definition does the whole runbook - Okta app,
// group assignment, authorization server, claim, policy, rule, secret, Kong portal config - and a
// second run of the same request creates and changes nothing.
import { startHarness, provisioningInput, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.reset());
afterEach(() => {
  expect(h.okta.control.contractViolations).toEqual([]);
  expect(h.kong.control.contractViolations).toEqual([]);
});

it('provisions everything and reports issuer, client id, portal URL and secret ARN', async () => {
  const execution = await h.run(provisioningInput({ autoApprove: true }));
  if (execution.status !== 'SUCCEEDED')
    console.log(
      execution.error,
      execution.cause,
      JSON.stringify(
        execution.events
          .filter((e) => e.type.includes('Failed') || e.type.includes('Caught'))
          .map((e) => [e.type, e.state?.name, e.Error, e.Cause]),
      ),
    );
  expect(execution.status).toBe('SUCCEEDED');
  console.log(JSON.stringify(execution.output, null, 2));
});
