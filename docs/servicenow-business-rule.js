/*
 * kong-portal-provisioner: ServiceNow business rule that asks for a Kong Dev Portal when a requested
 * item of the "Kong Dev Portal" catalog item is approved.
 *
 * Install (System Definition > Business Rules > New):
 *   Table:      Requested Item [sc_req_item]
 *   When:       async (after the record is saved; the user does not wait for the HTTP call)
 *   Insert/Update: Update
 *   Condition:  current.cat_item.getDisplayValue() == 'Kong Dev Portal' && current.state == 2
 *               (state 2 = Work in Progress on a default instance: the item was approved. Async rules
 *               cannot use previous/changes(); the service ignores repeats of an item it has already
 *               run for - every update bumps sys_mod_count, and a run is named after the item and it.)
 *   Advanced:   this script.
 *
 * System properties (System Properties > New), read below:
 *   x_kpp.webhook_url     https://<api id>.execute-api.<region>.amazonaws.com/v1/webhooks/servicenow
 *   x_kpp.webhook_secret  type password2: the value of the secret
 *                         kong-portal-provisioner-webhooks/<env>/servicenow-signing-secret
 *
 * What it sends (the service verifies exactly this; see lambdas/core/servicenow-webhook.ts):
 *   POST <webhook_url>
 *   Content-Type:   application/json
 *   X-SN-Timestamp: <epoch seconds>
 *   X-SN-Signature: base64 HMAC-SHA256 over "<X-SN-Timestamp>.<body>", as
 *                   GlideCertificateEncryption.generateMac(base64(secret), "HmacSHA256", data) returns it
 *   body:           {"delivery_id", "table", "sys_id", "number", "sys_mod_count", "state",
 *                    "cat_item": {"sys_id", "name"}, "requested_for": {"sys_id", "name", "user_name"},
 *                    "variables": {"<name>": "<value>", ...}}
 *
 * Every attempt is a new delivery (fresh delivery_id, timestamp and signature): the service refuses a
 * repeated delivery_id as a replay (409) and a timestamp more than 5 minutes off (401). A retry of the
 * same approval is still one run. The answer arrives later as a work note on the item.
 *
 * Variable names must match the deployment's ServiceNow mapping (cdk.json context "servicenow".mapping
 * .variables); the defaults below are the local-mode ones.
 */
(function executeRule(current, _previous /* null in async rules */) {
  var VARIABLES = ['kong_workspace', 'kong_environment', 'okta_groups', 'portal_options'];

  var url = gs.getProperty('x_kpp.webhook_url');
  var secret = gs.getProperty('x_kpp.webhook_secret');
  if (!url || !secret) {
    gs.error('kong-portal-provisioner: x_kpp.webhook_url / x_kpp.webhook_secret are not set');
    return;
  }

  var variables = {};
  for (var i = 0; i < VARIABLES.length; i++) {
    var name = VARIABLES[i];
    // GlideElementVariable: convert to a string before it goes into JSON.
    if (current.variables[name] !== undefined && current.variables[name] !== null)
      variables[name] = current.variables[name] + '';
  }

  var body = JSON.stringify({
    delivery_id: gs.generateGUID(),
    table: 'sc_req_item',
    sys_id: current.getUniqueValue(),
    number: current.getValue('number'),
    sys_mod_count: current.getValue('sys_mod_count'),
    state: current.getValue('state'),
    cat_item: { sys_id: current.getValue('cat_item'), name: current.cat_item.getDisplayValue() },
    requested_for: {
      sys_id: current.getValue('requested_for'),
      name: current.requested_for.getDisplayValue(),
      user_name: current.requested_for.user_name + '',
    },
    variables: variables,
  });

  var timestamp = '' + Math.floor(new GlideDateTime().getNumericValue() / 1000);
  // generateMac takes the key base64-encoded and returns the MAC in base64.
  var signature = new GlideCertificateEncryption().generateMac(
    GlideStringUtil.base64Encode(secret),
    'HmacSHA256',
    timestamp + '.' + body,
  );

  var request = new sn_ws.RESTMessageV2();
  request.setEndpoint(url);
  request.setHttpMethod('post');
  request.setRequestHeader('Content-Type', 'application/json');
  request.setRequestHeader('X-SN-Timestamp', timestamp);
  request.setRequestHeader('X-SN-Signature', signature);
  request.setRequestBody(body);
  request.setHttpTimeout(10000);

  var response = request.execute();
  var status = response.getStatusCode();
  // 202 accepted, 200 refused (a work note says why), 204 not a request, 409 repeated delivery.
  if (status >= 400 && status !== 409) {
    gs.warn('kong-portal-provisioner webhook answered ' + status + ': ' + response.getBody());
  }
})(current, previous);
