/*
 * kong-portal-provisioner: ServiceNow business rule that asks for a Kong Dev Portal when a requested
 * item of the "Kong Dev Portal" catalog item is approved.
 *
 * Install (System Definition > Business Rules > New):
 *   Table:      Requested Item [sc_req_item]
 *   When:       after (an after rule sees `previous`; async rules do not - ServiceNow "Business
 *               rules": async rules "do not have access to the previous version of a record")
 *   Insert/Update: Update
 *   Condition:  current.cat_item.getDisplayValue() == 'Kong Dev Portal' && current.state.changesTo(2)
 *               (state 2 = Work in Progress on a default instance: the item was approved. changesTo
 *               keeps every later update - a comment, the service's own work note - from asking
 *               again; the service also ignores a delivery whose previous_state already asked.)
 *   Advanced:   this script. The call is made with executeAsync(): the user's save does not wait.
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
 *                    "previous_state", "cat_item": {"sys_id", "name"}, "requested_for": {"sys_id", "name", "user_name"},
 *                    "variables": {"<name>": "<value>", ...}}
 *
 * Every attempt is a new delivery (fresh delivery_id, timestamp and signature): the service refuses a
 * repeated delivery_id as a replay (409) and a timestamp more than 5 minutes off (401). A retry of the
 * same approval is still one run. The answer arrives later as a work note on the item.
 *
 * Variable names must match the deployment's ServiceNow mapping (cdk.json context "servicenow".mapping
 * .variables); the defaults below are the local-mode ones.
 */
(function executeRule(current, previous) {
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

  // A requested item's own requested_for is empty on older instances: the request's is the same person.
  var requestedFor = current.requested_for.nil() ? current.request.requested_for : current.requested_for;

  var body = JSON.stringify({
    delivery_id: gs.generateGUID(),
    table: 'sc_req_item',
    sys_id: current.getUniqueValue(),
    number: current.getValue('number'),
    sys_mod_count: current.getValue('sys_mod_count'),
    state: current.getValue('state'),
    previous_state: previous.getValue('state'),
    cat_item: { sys_id: current.getValue('cat_item'), name: current.cat_item.getDisplayValue() },
    requested_for: {
      sys_id: requestedFor.sys_id + '' || null,
      name: requestedFor.getDisplayValue(),
      user_name: requestedFor.user_name + '',
    },
    variables: variables,
  }).replace(/[\u007f-\uffff]/g, function (c) {
    // JSON allows \uXXXX for any character: an all-ASCII body signs the same bytes on every side,
    // whatever charset the MAC and the HTTP client use for the text.
    return '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4);
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

  // executeAsync: the instance sends the request from its ECC queue and the save does not wait. The
  // answer (accepted, refused with the reason, failed) arrives later as a work note on the item; an
  // unanswered item after a few minutes means the delivery did not arrive (see the outbound HTTP log).
  request.executeAsync();
})(current, previous);
