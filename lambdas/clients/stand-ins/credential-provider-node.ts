/**
 * What bundles get for `@aws-sdk/credential-provider-node`: the AWS SDK clients' default credential
 * chain, cut to its first link. Lambda puts the execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: "Defined runtime environment
 * variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), and the
 * full chain tries the environment first, so in Lambda it resolves to exactly this provider. The
 * rest of the chain (shared ini files, SSO, web identity, instance metadata, with the STS/SSO
 * clients they carry) is ~100 kB every function loaded and never called. Local mode passes its
 * credentials explicitly and never bundles.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
