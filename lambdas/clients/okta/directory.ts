/** Groups and the user profile: what Okta must already have before anything is created. */
import { ValidationError, type FieldIssue } from '../../core/errors';
import type { OktaApi } from './api';
import { GroupApi } from './sdk/group-api';
import { SchemaApi } from './sdk/schema-api';

export interface ResolvedGroup {
  ref: string;
  id: string;
  name: string;
}

const GROUP_ID = /^00g[A-Za-z0-9]{17}$/;

export class OktaDirectory {
  private readonly groupApi: GroupApi;
  private readonly schemaApi: SchemaApi;

  constructor(private readonly api: OktaApi) {
    this.groupApi = new GroupApi(api.transport);
    this.schemaApi = new SchemaApi(api.transport);
  }

  /**
   * Resolves group names or ids, all at once; an unknown or ambiguous group is a ValidationError
   * naming it (every such group, in the order given).
   */
  async resolveGroups(refs: readonly string[]): Promise<ResolvedGroup[]> {
    const results = await Promise.all(
      refs.map((ref, index) => this.resolveGroup(ref, `oktaGroups.${index}`)),
    );
    const issues = results.flatMap((r) => ('issue' in r ? [r.issue] : []));
    if (issues.length) throw ValidationError.of(issues, 'Unknown Okta groups');
    return results.flatMap((r) => ('group' in r ? [r.group] : []));
  }

  private async resolveGroup(
    ref: string,
    field: string,
  ): Promise<{ group: ResolvedGroup } | { issue: FieldIssue }> {
    const { groupApi } = this;
    if (GROUP_ID.test(ref)) {
      const group = await this.api.find('getGroup', () => groupApi.getGroup({ groupId: ref }));
      return group?.id
        ? { group: { ref, id: group.id, name: group.profile?.name ?? ref } }
        : { issue: { field, reason: `no Okta group has the id '${ref}'` } };
    }
    const search = `profile.name eq "${ref.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const groups = await this.api.list('listGroups', () => groupApi.listGroups({ search }));
    // Okta's `eq` compares string values case-insensitively (Groups API: "operators ... and string
    // values are case insensitive"), so match the way it does, and say so when several match.
    const matches = groups.filter((g) => g.id && g.profile?.name?.toLowerCase() === ref.toLowerCase());
    const [only] = matches;
    if (matches.length === 1 && only?.id)
      return { group: { ref, id: only.id, name: only.profile?.name ?? ref } };
    if (matches.length === 0) return { issue: { field, reason: `no Okta group is named '${ref}'` } };
    return {
      issue: {
        field,
        reason: `${matches.length} Okta groups match '${ref}' (${matches.map((g) => g.profile?.name).join(', ')}); give the group id instead`,
      },
    };
  }

  /** The attribute that holds the developer's e-mail must exist in the default user profile. */
  async assertUserAttribute(attribute: string): Promise<void> {
    const schema = await this.api.call('getUserSchema', () =>
      this.schemaApi.getUserSchema({ schemaId: 'default' }),
    );
    const known = [
      ...Object.keys(schema.definitions?.base?.properties ?? {}),
      ...Object.keys(schema.definitions?.custom?.properties ?? {}),
    ];
    if (!known.includes(attribute)) {
      throw ValidationError.of([
        {
          field: 'emailAttribute',
          reason: `the Okta default user profile has no attribute '${attribute}' (it has ${known.join(', ')})`,
        },
      ]);
    }
  }
}
