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
import { konnectKey } from '../../core/portal-target';
import type {
  PortalLocation,
  PortalPlace,
  PortalRequest,
  PortalTarget,
  SignInSettings,
  StoredSignIn,
} from '../../core/portal-target';
import type { PortalUrls } from '../../core/portal-urls';
import type { KonnectClient, KonnectIdentityProvider, KonnectPortal, OidcProviderConfig } from '../konnect';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is kept of a provider in a snapshot: its settings, never a secret (none is readable). */
const providerSnapshot = z.object({
  id: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  clientId: z.string().optional(),
  issuer: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  claimMappings: z.object({ name: z.string(), email: z.string(), groups: z.string() }).optional(),
});
type ProviderSnapshot = z.infer<typeof providerSnapshot>;

const konnectSnapshot = z.object({
  portalId: z.string(),
  authentication_enabled: z.boolean(),
  auto_approve_developers: z.boolean(),
  identityProviders: z.array(providerSnapshot),
});
type KonnectSnapshot = z.infer<typeof konnectSnapshot>;

const claimMappings = z.object({ name: z.string(), email: z.string(), groups: z.string() });

const stringField = (config: Record<string, unknown>, key: string): string | undefined =>
  typeof config[key] === 'string' ? (config[key] as string) : undefined;

function snapshotOf(provider: KonnectIdentityProvider): ProviderSnapshot {
  const clientId = stringField(provider.config, 'client_id');
  const issuer = stringField(provider.config, 'issuer_url');
  const scopes = z.array(z.string()).safeParse(provider.config.scopes);
  const mappings = claimMappings.safeParse(provider.config.claim_mappings);
  return {
    id: provider.id,
    type: provider.type,
    enabled: provider.enabled,
    ...(clientId ? { clientId } : {}),
    ...(issuer ? { issuer } : {}),
    ...(scopes.success ? { scopes: scopes.data } : {}),
    ...(mappings.success ? { claimMappings: mappings.data } : {}),
  };
}

function parseSnapshot(text: string): KonnectSnapshot {
  const parsed = konnectSnapshot.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new PermanentError('the saved Konnect portal snapshot is not one this provisioner wrote');
  return parsed.data;
}

/**
 * Okta's sign-in and sign-out redirect URIs for a Konnect portal: the custom domain first, and the
 * Konnect-provided domain beside it - the portal answers on both (Kong's Dev Portal SSO guide lists
 * both `/login` URLs).
 */
export function konnectPortalUrls(portal: KonnectPortal): PortalUrls {
  const canonical = portal.canonicalDomain || portal.defaultDomain;
  const base = `https://${canonical}`;
  return {
    portalGuiUrl: base,
    portalApiBase: base,
    redirectUri: `${base}/login`,
    ...(canonical !== portal.defaultDomain
      ? { otherRedirectUris: [`https://${portal.defaultDomain}/login`] }
      : {}),
  };
}

const describeProvider = (p: KonnectIdentityProvider, ref: string) =>
  `Konnect portal '${ref}' already has ${p.enabled ? 'an enabled' : 'an'} ${p.type.toUpperCase()} identity provider (${p.id}) that kong-portal-provisioner did not create; Konnect allows one per type and one enabled at a time, and never returns its client secret, so it could not be put back: remove it first, or leave this portal alone`;

/** Providers that stand in the way of ours: any OIDC one (one per type), or any enabled one. */
const inTheWay = (providers: readonly KonnectIdentityProvider[], ours?: KonnectIdentityProvider) =>
  providers.find((p) => p !== ours && (p.type === 'oidc' || p.enabled));

const oursAmong = (providers: readonly KonnectIdentityProvider[], clientIds: readonly string[]) =>
  providers.filter((p) => p.type === 'oidc' && clientIds.includes(stringField(p.config, 'client_id') ?? ''));

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
    // A write that changes nothing, sent right after the read: a token that may only read is found
    // out before Okta is touched. A plan writes nothing at all.
    if (!request.dryRun)
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
    const blocker = inTheWay(providers);
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
      // The same portal by its id and by its name: one must not run beside the other.
      aliases: [konnectKey(portal.id), konnectKey(portal.name)].filter((k) => k !== request.workspace),
      ...(blocker ? { occupiedBy: describeProvider(blocker, this.ref) } : {}),
    };
  }

  async apply(request: PortalRequest, place: PortalPlace, signIn: SignInSettings): Promise<StoredSignIn> {
    // The portal ResolvePortal found (by id): a portal re-created under the name is not this one.
    const portalId = place.portalId;
    const providers = await this.konnect.listIdentityProviders(portalId);
    const [ours] = oursAmong(providers, [signIn.clientId]);
    const other = inTheWay(providers, ours);
    if (other) throw new PermanentError(describeProvider(other, this.ref), { workspace: request.workspace });
    const config: OidcProviderConfig = {
      issuer_url: signIn.issuer,
      client_id: signIn.clientId,
      client_secret: signIn.clientSecret,
      scopes: [...request.scopes],
      // The email comes from the claim the authorization server adds to the ID token.
      claim_mappings: { name: 'name', email: request.claimName, groups: 'groups' },
    };
    const written = ours
      ? await this.konnect.updateOidcProvider(portalId, ours.id, config)
      : await this.konnect.createOidcProvider(portalId, config);
    const enabled = written.enabled
      ? written
      : await this.konnect.setProviderEnabled(portalId, written.id, true);
    const updated = await this.konnect.updatePortal(portalId, {
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
    if (updated.autoApproveDevelopers !== request.autoApprove)
      problems.push(`auto_approve_developers is not ${String(request.autoApprove)}`);
    if (problems.length)
      throw new PermanentError(
        `Konnect portal '${this.ref}' is not configured as written: ${problems.join('; ')}`,
        { workspace: request.workspace },
      );
    const scopes = enabled.config.scopes;
    return {
      discoveryUrl: discoveryUrl(signIn.issuer),
      redirectUri: place.urls.redirectUri,
      scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
    };
  }

  async restore(
    _key: string,
    text: string,
    ours: { clientIds: readonly string[] },
  ): Promise<{ changed: boolean }> {
    const snapshot = parseSnapshot(text);
    // A portal deleted since has nothing left to put back: the teardown goes on to Okta.
    const portal = await this.konnect.findPortal(snapshot.portalId);
    if (!portal) return { changed: false };
    const providers = await this.konnect.listIdentityProviders(snapshot.portalId);
    const before = new Map(snapshot.identityProviders.map((p) => [p.id, p]));
    let changed = false;
    // Ours is removed if the snapshot did not have it, or put back as it was; no other is touched.
    for (const provider of oursAmong(providers, ours.clientIds)) {
      const was = before.get(provider.id);
      if (!was) {
        const deleted = await this.konnect.deleteProvider(snapshot.portalId, provider.id);
        changed = deleted === 'deleted' || changed;
        continue;
      }
      if (settingsDiffer(was, provider) && was.issuer && was.clientId && was.scopes && was.claimMappings) {
        // Konnect keeps the stored secret when none is sent: the earlier run's client is unchanged.
        await this.konnect.updateOidcProvider(snapshot.portalId, provider.id, {
          issuer_url: was.issuer,
          client_id: was.clientId,
          scopes: was.scopes,
          claim_mappings: was.claimMappings,
        });
        changed = true;
      }
      if (was.enabled !== provider.enabled) {
        await this.konnect.setProviderEnabled(snapshot.portalId, provider.id, was.enabled);
        changed = true;
      }
    }
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

  /**
   * Without a snapshot: our provider goes, and auto-approval back to Konnect's default (off); the
   * portal keeps requiring sign-in (Konnect's default too).
   */
  async resetIfSignsInWith(
    _key: string,
    clientIds: readonly string[],
  ): Promise<'reset' | 'unchanged' | 'not-ours'> {
    const portal = await this.portal();
    const ours = oursAmong(await this.konnect.listIdentityProviders(portal.id), clientIds);
    if (!ours.length) return 'not-ours';
    let changed = false;
    for (const p of ours)
      changed = (await this.konnect.deleteProvider(portal.id, p.id)) === 'deleted' || changed;
    if (portal.autoApproveDevelopers) {
      await this.konnect.updatePortal(portal.id, { auto_approve_developers: false });
      changed = true;
    }
    return changed ? 'reset' : 'unchanged';
  }
}

function settingsDiffer(was: ProviderSnapshot, now: KonnectIdentityProvider): boolean {
  const current = snapshotOf(now);
  return (
    current.issuer !== was.issuer ||
    JSON.stringify(current.scopes) !== JSON.stringify(was.scopes) ||
    JSON.stringify(current.claimMappings) !== JSON.stringify(was.claimMappings)
  );
}
