// Intent: the OpenID Connect configuration written to Kong is exactly the runbook's (DESIGN.md §1
// item 8), with our safer ssl_verify default, and its masked form never carries the secret.
import { buildPortalAuthConf, discoveryUrl, maskPortalAuthConf } from '../../lambdas/core/portal-auth-conf';

const input = {
  issuer: 'https://example.okta.com/oauth2/aus1',
  clientId: '0oa1',
  clientSecret: 's3cr3t-value-xyz',
  urls: {
    portalGuiUrl: 'https://portal.example.com/team-a',
    redirectUri: 'https://portal.example.com:8447/team-a/auth',
  },
  claimName: 'user.login',
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  sslVerify: true,
};

describe('buildPortalAuthConf', () => {
  it('builds the runbook configuration', () => {
    expect(buildPortalAuthConf(input)).toEqual({
      issuer: 'https://example.okta.com/oauth2/aus1/.well-known/openid-configuration',
      client_id: ['0oa1'],
      client_secret: ['s3cr3t-value-xyz'],
      redirect_uri: ['https://portal.example.com:8447/team-a/auth'],
      login_redirect_uri: ['https://portal.example.com/team-a'],
      logout_redirect_uri: ['https://portal.example.com/team-a'],
      forbidden_redirect_uri: ['https://portal.example.com/team-a/unauthorized'],
      consumer_claim: ['user.login'],
      consumer_by: ['username', 'custom_id', 'id'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      login_action: 'redirect',
      login_redirect_mode: 'query',
      logout_methods: ['GET', 'DELETE'],
      logout_query_arg: 'logout',
      leeway: 1000,
      ssl_verify: true,
    });
  });

  it('carries an explicit ssl_verify opt-out and custom scopes', () => {
    const conf = buildPortalAuthConf({ ...input, sslVerify: false, scopes: ['openid', 'email'] });
    expect(conf.ssl_verify).toBe(false);
    expect(conf.scopes).toEqual(['openid', 'email']);
  });

  it('builds the discovery URL from an issuer with or without a trailing slash', () => {
    expect(discoveryUrl('https://x/oauth2/aus1/')).toBe(
      'https://x/oauth2/aus1/.well-known/openid-configuration',
    );
  });

  it('masks the secret without touching the rest', () => {
    const conf = buildPortalAuthConf(input);
    const masked = maskPortalAuthConf(conf);
    expect(JSON.stringify(masked)).not.toContain(input.clientSecret);
    expect(masked).toEqual({ ...conf, client_secret: ['***'] });
    expect(conf.client_secret).toEqual([input.clientSecret]);
  });
});
