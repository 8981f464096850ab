/**
 * What bundles get for `require('whatwg-url')`. Its only requirer, node-fetch 2 (under the Okta
 * SDK), takes Node's own URL first (`Url.URL || whatwgUrl.URL`), which Node has had since v10, so
 * whatwg-url (with the tr46 tables, ~290 kB) is loaded and never used; this hands over the same
 * Node classes node-fetch already uses. test/bundles checks node-fetch is still its only requirer.
 */
'use strict';
exports.URL = URL;
exports.URLSearchParams = URLSearchParams;
