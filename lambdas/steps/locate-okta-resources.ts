/**
 * LocateOktaResources (teardown): finds the app and the authorization server by name while Kong is
 * being restored, and judges which are this workspace's provisioner-made ones. The removals use that
 * on their first attempt instead of looking again; nothing here changes anything.
 */
import type { StepContext } from './context';
import { anyRunOf, nameOf } from './scope';
import type { LocatedResources, TeardownState } from './teardown-state';

export async function locateOktaResources(
  state: TeardownState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<LocatedResources> {
  const [apps, authServers] = await Promise.all([
    okta.apps.locate(nameOf(state), anyRunOf(state)),
    okta.authServers.locate(nameOf(state), anyRunOf(state)),
  ]);
  return { apps, authServers };
}
