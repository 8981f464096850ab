/**
 * The Konnect Dev Portal as a portal target (Portal Management API v3). Sign-in is an OIDC identity
 * provider on the portal plus the portal's `authentication_enabled` / `auto_approve_developers`.
 *
 * Konnect allows one identity provider per type and one enabled at a time, and never returns a
 * provider's client secret (writeOnly in the contract). So an identity provider the provisioner did
 * not create is never changed: its secret could not be put back. A portal that already signs in
 * through another provider is refused with the provider named; ours (same client id) is updated.
 * The provider is created without `enabled`, then enabled with a PATCH (Kong's own provider tests do
 * it in that order; older backends refused `enabled` on create: Kong/kongctl#1780). `login_path`
 * is not sent: the portal IdP does not support it (Kong/terraform-provider-konnect#418).
 */
import * as z from 'zod';
import { discoveryUrl } from '../../core/portal-auth-conf';
import { PermanentError, ValidationError } from '../../core/errors';
import type {
  PortalLocation,
  PortalRequest,
  PortalTarget,
  SignInSettings,
  StoredSignIn,
} from '../../core/portal-target';
import type { PortalUrls } from '../../core/portal-urls';
import type { KonnectClient, KonnectIdentityProvider, KonnectPortal, OidcProviderConfig } from '../konnect';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is kept of a provider in a snapshot: no secret is ever readable, so none is kept. */
const providerSnapshot = z.object({
  id: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  clientId: z.string().optional(),
  issuer: z.string().optional(),
});
type ProviderSnapshot = z.infer<typeof providerSnapshot>;

const konnectSnapshot = z.object({
  portalId: z.string(),
  authentication_enabled: z.boolean(),
  auto_approve_developers: z.boolean(),
  identityProviders: z.array(providerSnapshot),
});
type KonnectSnapshot = z.infer<typeof konnectSnapshot>;

const stringField = (config: Record<string, unknown>, key: string): string | undefined =>
  typeof config[key] === 'string' ? (config[key] as string) : undefined;

function snapshotOf(provider: KonnectIdentityProvider): ProviderSnapshot {
  const clientId = stringField(provider.config, 'client_id');
  const issuer = stringField(provider.config, 'issuer_url');
  return {
    id: provider.id,
    type: provider.type,
    enabled: provider.enabled,
    ...(clientId ? { clientId } : {}),
    ...(issuer ? { issuer } : {}),
  };
}

function parseSnapshot(text: string): KonnectSnapshot {
  const parsed = konnectSnapshot.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new PermanentError('the saved Konnect portal snapshot is not one this provisioner wrote');
  return parsed.data;
}

/** Okta's sign-in and sign-out redirect URI for a Konnect portal, custom domain first. */
export function konnectPortalUrls(portal: KonnectPortal): PortalUrls {
  const base = `https://${portal.canonicalDomain || portal.defaultDomain}`;
  return { portalGuiUrl: base, portalApiBase: base, redirectUri: `${base}/login` };
}

export class KonnectDevPortal implements PortalTarget {
  readonly kind = 'konnect' as const;

  constructor(
    private readonly konnect: KonnectClient,
    /** The portal's id, or its name (unique in an organization). */
    private readonly ref: string,
  ) {}

  private async portal(): Promise<KonnectPortal> {
    const found = UUID.test(this.ref)
      ? await this.konnect.getPortal(this.ref)
      : await this.konnect.findPortalByName(this.ref);
    if (!found)
      throw ValidationError.of([
        { field: 'portal', reason: `Konnect has no portal named '${this.ref}' that this token can see` },
      ]);
    return found;
  }

  async locate(request: PortalRequest): Promise<PortalLocation> {
    const portal = await this.portal();
    const providers = await this.konnect.listIdentityProviders(portal.id);
    // A write that changes nothing: a token that may only read is found out before Okta is touched.
    await this.konnect.updatePortal(portal.id, { authentication_enabled: portal.authenticationEnabled });
    const snapshot: KonnectSnapshot = {
      portalId: portal.id,
      authentication_enabled: portal.authenticationEnabled,
      auto_approve_developers: portal.autoApproveDevelopers,
      identityProviders: providers.map(snapshotOf),
    };
    const warnings: string[] = [];
    if (request.autoApprove && !portal.autoApproveDevelopers)
      warnings.push(
        'auto-approve turned on for the portal: new developers get access without review (autoApprove: true)',
      );
    return {
      portalId: portal.id,
      urls: konnectPortalUrls(portal),
      snapshot: JSON.stringify(snapshot),
      masked: {
        authentication_enabled: snapshot.authentication_enabled,
        auto_approve_developers: snapshot.auto_approve_developers,
        identity_providers: snapshot.identityProviders,
      },
      warnings,
    };
  }

  async apply(request: PortalRequest, urls: PortalUrls, signIn: SignInSettings): Promise<StoredSignIn> {
    const portal = await this.portal();
    const providers = await this.konnect.listIdentityProviders(portal.id);
    const ours = providers.find(
      (p) => p.type === 'oidc' && stringField(p.config, 'client_id') === signIn.clientId,
    );
    const other = providers.find((p) => p !== ours && (p.type === 'oidc' || p.enabled));
    if (other)
      throw new PermanentError(
        `Konnect portal '${this.ref}' already has ${other.enabled ? 'an enabled' : 'an'} ${other.type.toUpperCase()} identity provider (${other.id}) that kong-portal-provisioner did not create; Konnect allows one per type and one enabled at a time, and never returns its client secret, so it could not be put back: remove it first, or leave this portal alone`,
        { workspace: request.workspace },
      );
    const config: OidcProviderConfig = {
      issuer_url: signIn.issuer,
      client_id: signIn.clientId,
      client_secret: signIn.clientSecret,
      scopes: [...request.scopes],
      // The email comes from the claim the authorization server adds to the ID token.
      claim_mappings: { name: 'name', email: request.claimName, groups: 'groups' },
    };
    const written = ours
      ? await this.konnect.updateOidcProvider(portal.id, ours.id, config)
      : await this.konnect.createOidcProvider(portal.id, config);
    const enabled = written.enabled
      ? written
      : await this.konnect.setProviderEnabled(portal.id, written.id, true);
    const updated = await this.konnect.updatePortal(portal.id, {
      authentication_enabled: true,
      auto_approve_developers: request.autoApprove,
    });
    const problems: string[] = [];
    if (!enabled.enabled) problems.push('the identity provider is not enabled');
    if (stringField(enabled.config, 'issuer_url') !== signIn.issuer)
      problems.push(`issuer_url is not '${signIn.issuer}'`);
    if (stringField(enabled.config, 'client_id') !== signIn.clientId)
      problems.push(`client_id is not '${signIn.clientId}'`);
    if (!updated.authenticationEnabled) problems.push('authentication_enabled is false');
    if (problems.length)
      throw new PermanentError(
        `Konnect portal '${this.ref}' is not configured as written: ${problems.join('; ')}`,
        { workspace: request.workspace },
      );
    const scopes = enabled.config.scopes;
    return {
      discoveryUrl: discoveryUrl(signIn.issuer),
      redirectUri: urls.redirectUri,
      scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
    };
  }

  async restore(_key: string, text: string, ours: { clientId?: string }): Promise<{ changed: boolean }> {
    const snapshot = parseSnapshot(text);
    const providers = await this.konnect.listIdentityProviders(snapshot.portalId);
    const before = new Map(snapshot.identityProviders.map((p) => [p.id, p]));
    const isOurs = (p: KonnectIdentityProvider) =>
      ours.clientId !== undefined &&
      p.type === 'oidc' &&
      stringField(p.config, 'client_id') === ours.clientId;
    let changed = false;
    // Ours is removed if the snapshot did not have it, or put back to how it was; no other is touched.
    for (const provider of providers.filter(isOurs)) {
      const was = before.get(provider.id);
      if (!was) {
        changed =
          (await this.konnect.deleteProvider(snapshot.portalId, provider.id)) === 'deleted' || changed;
      } else if (was.enabled !== provider.enabled) {
        await this.konnect.setProviderEnabled(snapshot.portalId, provider.id, was.enabled);
        changed = true;
      }
    }
    const portal = await this.konnect.getPortal(snapshot.portalId);
    const patch: { authentication_enabled?: boolean; auto_approve_developers?: boolean } = {};
    if (portal.authenticationEnabled !== snapshot.authentication_enabled)
      patch.authentication_enabled = snapshot.authentication_enabled;
    if (portal.autoApproveDevelopers !== snapshot.auto_approve_developers)
      patch.auto_approve_developers = snapshot.auto_approve_developers;
    if (Object.keys(patch).length) {
      await this.konnect.updatePortal(snapshot.portalId, patch);
      changed = true;
    }
    return { changed };
  }

  async resetIfSignsInWith(_key: string, clientId: string): Promise<'reset' | 'unchanged' | 'not-ours'> {
    const portal = await this.portal();
    const providers = await this.konnect.listIdentityProviders(portal.id);
    const ours = providers.filter(
      (p) => p.type === 'oidc' && stringField(p.config, 'client_id') === clientId,
    );
    if (!ours.length) return 'not-ours';
    let deleted = false;
    for (const p of ours)
      deleted = (await this.konnect.deleteProvider(portal.id, p.id)) === 'deleted' || deleted;
    return deleted ? 'reset' : 'unchanged';
  }
}
