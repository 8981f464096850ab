// Intent: a request is either fully valid (with the documented defaults filled in) or refused
// with every offending field named, before anything touches Okta or Kong.
import {
  assertServedEnvironment,
  parseProvisioningRequest,
  parseTeardownRequest,
} from '../../lambdas/core/request';
import { ValidationError } from '../../lambdas/core/errors';

const minimal = {
  workspace: 'team-a',
  environment: 'dev',
  oktaGroups: ['Developers'],
  requestedBy: 'alice@example.com',
};

function issuesFor(body: unknown): Array<{ field: string; reason: string }> {
  try {
    parseProvisioningRequest(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error('expected the request to be refused');
}

describe('provisioning request', () => {
  it('fills in the runbook defaults', () => {
    const request = parseProvisioningRequest(minimal);
    expect(request).toEqual({
      ...minimal,
      emailAttribute: 'login',
      claimName: 'user.login',
      audience: 'api://kong-portal-dev.team-a',
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      autoApprove: false,
      sslVerify: true,
      tokenLifetimes: { accessTokenMinutes: 60, refreshTokenWindowMinutes: 10080 },
      dryRun: false,
      target: 'kong-ee-workspace',
    });
  });

  it('keys a Konnect request by its portal, so it never shares a lock or an Okta app with a Kong workspace', () => {
    const { workspace: _ws, ...rest } = minimal;
    const request = parseProvisioningRequest({ ...rest, target: 'konnect', portal: 'developer-portal' });
    expect(request).toMatchObject({
      target: 'konnect',
      workspace: 'konnect.developer-portal',
      audience: 'api://kong-portal-dev.konnect.developer-portal',
    });
    expect(parseProvisioningRequest({ ...rest, portal: 'developer-portal' }).target).toBe('konnect');
    // A parsed request parses to itself (the workflow validates what the API accepted).
    expect(parseProvisioningRequest(request)).toEqual(request);
    expect(parseProvisioningRequest(parseProvisioningRequest(minimal))).toEqual(
      parseProvisioningRequest(minimal),
    );
  });

  it.each([
    [{ target: 'konnect' }, 'portal', 'is required for target konnect'],
    [
      { target: 'konnect', portal: 'p', workspace: 'team-a' },
      'workspace',
      "is for a Kong workspace portal; a Konnect portal is named by 'portal'",
    ],
    [
      { workspace: 'team-a', portal: 'p', target: 'kong-ee-workspace' },
      'portal',
      "is for target konnect; a Kong workspace portal is named by 'workspace'",
    ],
    [
      { target: 'konnect', portal: 'My Portal' },
      'portal',
      "may contain only letters, digits and '.', '-', '_', '~': give a portal whose name has other characters by its id",
    ],
    [
      { target: 'konnect', portal: 'p', sslVerify: false },
      'sslVerify',
      "cannot be false for target konnect: Konnect's identity provider always verifies the issuer's certificate",
    ],
    [
      { workspace: 'konnect.p', target: 'kong-ee-workspace' },
      'workspace',
      "must not start with 'konnect.' (that prefix names Konnect portals)",
    ],
    [
      { workspace: 'konnect.p', portal: 'q' },
      'workspace',
      "is for a Kong workspace portal; a Konnect portal is named by 'portal'",
    ],
    [{ target: 'saas', workspace: 'team-a' }, 'target', 'must be one of kong-ee-workspace, konnect'],
    // A key-shaped workspace alone is a Kong workspace name, and refused as one.
    [
      { workspace: 'konnect.p' },
      'workspace',
      "must not start with 'konnect.' (that prefix names Konnect portals)",
    ],
    [
      { target: 'konnect', portal: 'p'.repeat(93) },
      'portal',
      'must be at most 92 characters (give a portal with a longer name by its id)',
    ],
  ])('refuses %p: %s %s', (fields, field, reason) => {
    const { workspace: _ws, ...rest } = minimal;
    expect(() => parseProvisioningRequest({ ...rest, ...fields })).toThrow(
      expect.objectContaining({ issues: expect.arrayContaining([{ field, reason }]) }),
    );
  });

  it('derives the claim name from the e-mail attribute unless one is given', () => {
    expect(parseProvisioningRequest({ ...minimal, emailAttribute: 'email' }).claimName).toBe('user.email');
    expect(
      parseProvisioningRequest({ ...minimal, emailAttribute: 'email', claimName: 'dev_email' }).claimName,
    ).toBe('dev_email');
  });

  it.each([
    ['team~a.v2_x-1', true],
    ['default', true],
    ['team a', false],
    ['team/a', false],
    ['équipe', false],
    ['services', false],
    ['', false],
  ])('workspace %p accepted: %p', (workspace, ok) => {
    if (ok) expect(parseProvisioningRequest({ ...minimal, workspace }).workspace).toBe(workspace);
    else expect(issuesFor({ ...minimal, workspace }).map((i) => i.field)).toEqual(['workspace']);
  });

  it.each(['.', '..'])(
    'refuses the workspace name %j: in a URL path it means this or the parent directory',
    (workspace) => {
      // Intent (safety): '/workspaces/..' would PATCH '/' - the request must be refused before anything runs.
      expect(issuesFor({ ...minimal, workspace })).toEqual([
        {
          field: 'workspace',
          reason: "must not be '.' or '..' (a URL path would read it as this or the parent directory)",
        },
      ]);
      expect(() => parseTeardownRequest({ workspace, environment: 'dev', requestedBy: 'x' })).toThrow(
        /workspace: must not be/,
      );
    },
  );

  it('explains why a reserved workspace name is refused', () => {
    expect(issuesFor({ ...minimal, workspace: 'routes' })).toEqual([
      { field: 'workspace', reason: 'is a name Kong reserves for its own entities' },
    ]);
  });

  it.each([
    [{ accessTokenMinutes: 4 }, 'tokenLifetimes.accessTokenMinutes', /between 5 and 1440/],
    [{ accessTokenMinutes: 1441 }, 'tokenLifetimes.accessTokenMinutes', /between 5 and 1440/],
    [{ accessTokenMinutes: 30.5 }, 'tokenLifetimes.accessTokenMinutes', /whole number/],
    [{ refreshTokenWindowMinutes: 9 }, 'tokenLifetimes.refreshTokenWindowMinutes', /between 10 and 2628000/],
    [
      { refreshTokenWindowMinutes: 2628001 },
      'tokenLifetimes.refreshTokenWindowMinutes',
      /between 10 and 2628000/,
    ],
    [
      { accessTokenMinutes: 600, refreshTokenWindowMinutes: 100 },
      'tokenLifetimes.refreshTokenWindowMinutes',
      /shorter than accessTokenMinutes/,
    ],
  ])('enforces Okta token lifetime limits %p', (tokenLifetimes, field, reason) => {
    const issues = issuesFor({ ...minimal, tokenLifetimes });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe(field);
    expect(issues[0]?.reason).toMatch(reason);
  });

  it('accepts the limits themselves', () => {
    const request = parseProvisioningRequest({
      ...minimal,
      tokenLifetimes: { accessTokenMinutes: 5, refreshTokenWindowMinutes: 2628000 },
    });
    expect(request.tokenLifetimes).toEqual({ accessTokenMinutes: 5, refreshTokenWindowMinutes: 2628000 });
  });

  it('names every problem at once, including unknown and missing fields', () => {
    const issues = issuesFor({ workspace: 'team a', environment: 'Prod', oktaGroups: [], autoAprove: true });
    expect(issues.map((i) => i.field).sort()).toEqual([
      'autoAprove',
      'environment',
      'oktaGroups',
      'requestedBy',
      'workspace',
    ]);
    expect(issues.find((i) => i.field === 'autoAprove')?.reason).toBe('is not a known field');
    expect(issues.find((i) => i.field === 'requestedBy')?.reason).toBe('is required');
    expect(issues.find((i) => i.field === 'oktaGroups')?.reason).toBe('must name at least one Okta group');
  });

  it('refuses wrong types with the field and the expectation', () => {
    expect(issuesFor({ ...minimal, autoApprove: 'yes' })).toEqual([
      { field: 'autoApprove', reason: 'must be true or false' },
    ]);
    expect(issuesFor({ ...minimal, oktaGroups: ['ok', 42] })).toEqual([
      { field: 'oktaGroups.1', reason: 'must be a group name or id' },
    ]);
  });

  it('refuses duplicate groups, scopes without openid and reserved claim names', () => {
    expect(issuesFor({ ...minimal, oktaGroups: ['a', 'a'] })[0]?.field).toBe('oktaGroups');
    expect(issuesFor({ ...minimal, scopes: ['profile'] })).toEqual([
      { field: 'scopes', reason: "must include 'openid'" },
    ]);
    expect(issuesFor({ ...minimal, claimName: 'sub' })).toEqual([
      { field: 'claimName', reason: 'is a claim name Okta reserves for ID tokens' },
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 3])
      expect(issuesFor(body)).toEqual([{ field: '', reason: 'the request body must be a JSON object' }]);
  });

  it('puts every field and reason into the error message', () => {
    expect(() => parseProvisioningRequest({ ...minimal, environment: 'PROD' })).toThrow(
      'Invalid request: environment: must be 1-20 lowercase letters, digits or inner hyphens (e.g. dev, prod)',
    );
  });
});

describe('served environment', () => {
  it('refuses a request for an environment this deployment does not serve, naming the field', () => {
    expect(() => assertServedEnvironment('prod', 'dev')).toThrow(
      "environment: this deployment serves environment 'dev' only",
    );
    expect(() => assertServedEnvironment('dev', 'dev')).not.toThrow();
    // Local mode serves any environment.
    expect(() => assertServedEnvironment('prod', undefined)).not.toThrow();
  });
});
