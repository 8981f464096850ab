/**
 * What bundles get for `require('form-data')`. axios (Kong, OIDC, tickets) and the Okta SDK's
 * generated ApplicationApi load form-data at start-up (with mime-db: ~150 kB) for multipart bodies,
 * and no call of ours sends one: every body is JSON or URL-encoded. A multipart body would fail
 * here, loudly, instead of being sent differently. test/bundles checks who requires it.
 */
'use strict';
class FormData {
  constructor() {
    throw new Error('multipart/form-data bodies are not bundled (lambdas/clients/stand-ins/form-data.cjs)');
  }
}
module.exports = FormData;
