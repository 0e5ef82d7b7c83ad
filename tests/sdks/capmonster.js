// capmonster.js: CapMonster Cloud's own JS client, unmodified, against
// `capsolver sandbox --dialect capmonster`, through its documented
// ClientOptions.serviceUrl.
//
//   node capmonster.js NODE_MODULES BASE_URL KEY IMAGE
//
// Prints one TAP line per check and exits non-zero if any fails.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const [nodeModules, baseUrl, key, imagePath] = process.argv.slice(2);
const {
  CapMonsterCloudClientFactory, ClientOptions, ErrorType, GeeTestRequest, ImageToTextRequest,
  RecaptchaV2Request, RecaptchaV3EnterpriseRequest, RecaptchaV3ProxylessRequest,
} = require(path.join(nodeModules, '@zennolab_com', 'capmonstercloud-client'));

const WEBSITE_URL = 'https://www.example.com/login';
const WEBSITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';
// the timeouts Solve() takes, shorter than the SDK's own
const SHORT = { firstRequestDelay: 100, requestsInterval: 100, timeout: 10000 };

function client(clientKey) {
  return CapMonsterCloudClientFactory.Create(new ClientOptions({ clientKey, serviceUrl: baseUrl }));
}

const checks = [
  ['balance', async () => {
    const reply = await client(key).getBalance();
    assert.equal(reply.errorId, 0);
    assert.equal(typeof reply.balance, 'number');
    assert.ok(reply.balance > 0);
  }],
  ['image captcha', async () => {
    const body = fs.readFileSync(imagePath).toString('base64');
    const result = await client(key).Solve(new ImageToTextRequest({ body, Case: true }));
    assert.equal(result.error, undefined);
    assert.match(result.solution.text, /^\S+$/);
  }],
  // the SDK's own timeouts: a first poll after 1 s, then one every 3 s
  ['reCAPTCHA v2', async () => {
    const result = await client(key).Solve(new RecaptchaV2Request({
      websiteURL: WEBSITE_URL, websiteKey: WEBSITE_KEY,
    }));
    assert.equal(result.error, undefined);
    assert.ok(result.solution.gRecaptchaResponse.length > 0);
  }],
  // the same type with proxy fields; shorter timeouts, as Solve() takes
  ['reCAPTCHA v2 through a proxy', async () => {
    const result = await client(key).Solve(new RecaptchaV2Request({
      websiteURL: WEBSITE_URL, websiteKey: WEBSITE_KEY,
      proxy: {
        proxyType: 'http', proxyAddress: '8.8.8.8', proxyPort: 8080,
        proxyLogin: 'login', proxyPassword: 'password',
      },
    }), SHORT);
    assert.equal(result.error, undefined);
    assert.ok(result.solution.gRecaptchaResponse.length > 0);
  }],
  ['reCAPTCHA v3', async () => {
    const result = await client(key).Solve(new RecaptchaV3ProxylessRequest({
      websiteURL: WEBSITE_URL, websiteKey: WEBSITE_KEY, minScore: 0.7, pageAction: 'login',
    }), SHORT);
    assert.equal(result.error, undefined);
    assert.ok(result.solution.gRecaptchaResponse.length > 0);
  }],
  // sent as RecaptchaV3EnterpriseTask, the name of its page
  ['reCAPTCHA v3 Enterprise', async () => {
    const result = await client(key).Solve(new RecaptchaV3EnterpriseRequest({
      websiteURL: WEBSITE_URL, websiteKey: WEBSITE_KEY, minScore: 0.7, pageAction: 'login',
    }), SHORT);
    assert.equal(result.error, undefined);
    assert.ok(result.solution.gRecaptchaResponse.length > 0);
  }],
  // GeeTestTask without proxy fields: solved through the provider's proxies
  ['GeeTest v3', async () => {
    const result = await client(key).Solve(new GeeTestRequest({
      websiteURL: WEBSITE_URL, gt: '022397c99c9f646f6477822485f30404',
      challenge: '7f044f48bc951ecfbfc03842b5e1fe59',
    }), SHORT);
    assert.equal(result.error, undefined);
    assert.ok(result.solution.validate.length > 0);
  }],
  ['image below 100 bytes', async () => {
    const result = await client(key).Solve(new ImageToTextRequest({ body: 'aGVsbG8=' }));
    assert.equal(result.error, ErrorType.ZERO_CAPTCHA_FILESIZE);
  }],
  ['unknown task id', async () => {
    const result = await client(key).GetTaskResult(1);
    assert.equal(result.error, ErrorType.NO_SUCH_CAPCHA_ID);
  }],
  ['wrong key: balance', async () => {
    await assert.rejects(client('wrong-key').getBalance(),
      (error) => error.errorType === ErrorType.KEY_DOES_NOT_EXIST);
  }],
  ['wrong key: solve', async () => {
    const body = fs.readFileSync(imagePath).toString('base64');
    const result = await client('wrong-key').Solve(new ImageToTextRequest({ body }));
    assert.equal(result.error, ErrorType.KEY_DOES_NOT_EXIST);
  }],
];

(async () => {
  let failed = 0;
  console.log(`1..${checks.length}`);
  for (const [index, [name, check]] of checks.entries()) {
    try {
      await check();
      console.log(`ok ${index + 1} - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok ${index + 1} - ${name}`);
      console.log(String(error.stack || error).replace(/^/gm, '# '));
    }
  }
  process.exit(failed ? 1 : 0);
})();
