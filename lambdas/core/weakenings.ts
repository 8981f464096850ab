/**
 * Security-relevant changes a provisioning makes to a portal as it finds it: turning TLS
 * verification of the issuer off, or approving new developers without review. Allowed (the
 * request says so explicitly) but never silent: the plan shows them before, the request record
 * after. Only what actually changes is reported.
 */

export interface PortalSecurityWishes {
  sslVerify: boolean;
  autoApprove: boolean;
}

function sslVerifyOf(settings: Record<string, unknown>): unknown {
  if (settings.portal_auth !== 'openid-connect' || typeof settings.portal_auth_conf !== 'string')
    return undefined;
  try {
    const conf: unknown = JSON.parse(settings.portal_auth_conf);
    return typeof conf === 'object' && conf !== null
      ? (conf as { ssl_verify?: unknown }).ssl_verify
      : undefined;
  } catch {
    return undefined;
  }
}

export function weakeningsOf(current: Record<string, unknown>, wanted: PortalSecurityWishes): string[] {
  const existing = current.portal === true ? 'the existing portal' : 'the portal';
  const warnings: string[] = [];
  if (!wanted.sslVerify && sslVerifyOf(current) !== false)
    warnings.push(
      `ssl_verify turned off for ${existing}: Kong will not verify the TLS certificate of the issuer (sslVerify: false)`,
    );
  if (wanted.autoApprove && current.portal_auto_approve !== true)
    warnings.push(
      `auto-approve turned on for ${existing}: new developers get access without review (autoApprove: true)`,
    );
  return warnings;
}
