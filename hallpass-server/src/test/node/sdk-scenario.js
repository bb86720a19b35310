// Drives a Hallpass server through supertokens-node, the way a Node backend would.
// Every step asserts its result; any failure exits non-zero.
//
//   HALLPASS_URL=http://127.0.0.1:3567 HALLPASS_API_KEY=... node sdk-scenario.js
"use strict";

const assert = require("node:assert/strict");
const supertokens = require("supertokens-node");
const Session = require("supertokens-node/recipe/session");
const jose = require("jose");

const connectionURI = process.env.HALLPASS_URL;
assert.ok(connectionURI, "HALLPASS_URL must be set");

// Every call the SDK makes to the server, as "METHOD /path".
const calls = [];

supertokens.init({
  supertokens: {
    connectionURI,
    apiKey: process.env.HALLPASS_API_KEY || undefined,
    networkInterceptor: (request) => {
      calls.push(request.method.toUpperCase() + " " + new URL(request.url).pathname);
      return request;
    },
  },
  appInfo: {
    appName: "hallpass-sdk-test",
    apiDomain: "http://localhost:3001",
    websiteDomain: "http://localhost:3000",
  },
  recipeList: [Session.init({ antiCsrf: "VIA_TOKEN" })],
});

let step = 0;
async function check(name, fn) {
  step++;
  try {
    await fn();
    console.log(`ok ${step} - ${name}`);
  } catch (e) {
    console.log(`not ok ${step} - ${name}`);
    throw e;
  }
}

// The claims of a JWT, unverified (the SDK verified it).
function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url"));
}

function callsDuring(before) {
  return calls.slice(before);
}

async function rejectsWith(promise, type) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.type, type, `expected ${type}, got ${err.type}: ${err.message}`);
    return true;
  });
}

async function main() {
  const alice = supertokens.convertToRecipeUserId("alice");
  let created, tokens0, tokens1, tokens2, handle, confirmedAccessToken;

  await check("create a session without request/response", async () => {
    created = await Session.createNewSessionWithoutRequestResponse(
      "public", alice, { role: "admin" }, { cart: 1 });
    assert.equal(created.getUserId(), "alice");
    assert.equal(created.getRecipeUserId().getAsString(), "alice");
    assert.equal(created.getTenantId(), "public");
    assert.equal(created.getAccessTokenPayload().role, "admin");
    assert.equal(created.getAccessTokenPayload().sub, "alice");
    tokens0 = created.getAllSessionTokensDangerously();
    assert.ok(tokens0.accessToken && tokens0.refreshToken && tokens0.antiCsrfToken);
    handle = created.getHandle();
    const header = JSON.parse(Buffer.from(tokens0.accessToken.split(".")[0], "base64url"));
    assert.equal(header.version, "5");
    assert.match(header.kid, /^d-/);
  });

  await check("verify the access token locally against the JWKS (no server verify call)", async () => {
    const before = calls.length;
    const s = await Session.getSessionWithoutRequestResponse(
      tokens0.accessToken, tokens0.antiCsrfToken);
    assert.equal(s.getHandle(), handle);
    assert.equal(s.getUserId(), "alice");
    assert.equal(s.getAccessTokenPayload().role, "admin");
    assert.ok(!callsDuring(before).includes("POST /recipe/session/verify"),
      "verification must not call the server: " + callsDuring(before));
  });

  await check("anti-CSRF: a wrong token means TRY_REFRESH_TOKEN", async () => {
    await rejectsWith(
      Session.getSessionWithoutRequestResponse(tokens0.accessToken, "wrong-anti-csrf-token"),
      Session.Error.TRY_REFRESH_TOKEN);
  });

  await check("verify with checkDatabase goes to the server and succeeds", async () => {
    const before = calls.length;
    const s = await Session.getSessionWithoutRequestResponse(
      tokens0.accessToken, tokens0.antiCsrfToken, { checkDatabase: true });
    assert.equal(s.getHandle(), handle);
    assert.ok(callsDuring(before).includes("POST /recipe/session/verify"));
  });

  await check("refresh rotates the tokens; the new access token carries the parent claim", async () => {
    const r = await Session.refreshSessionWithoutRequestResponse(
      tokens0.refreshToken, false, tokens0.antiCsrfToken);
    tokens1 = r.getAllSessionTokensDangerously();
    assert.equal(r.getHandle(), handle);
    assert.ok(tokens1.refreshToken !== tokens0.refreshToken, "a new refresh token");
    assert.ok(tokens1.accessToken !== tokens0.accessToken, "a new access token");
    assert.equal(claimsOf(tokens1.accessToken).parentRefreshTokenHash1,
      claimsOf(tokens0.accessToken).refreshTokenHash1);
  });

  await check("the first getSession after a refresh calls verify once and gets a token without the parent claim", async () => {
    const before = calls.length;
    const s = await Session.getSessionWithoutRequestResponse(
      tokens1.accessToken, tokens1.antiCsrfToken);
    assert.equal(callsDuring(before).filter((c) => c === "POST /recipe/session/verify").length, 1,
      "one verify call: " + callsDuring(before));
    assert.equal(s.getHandle(), handle);
    assert.equal(s.getAccessTokenPayload().role, "admin");
    assert.equal(s.getAccessTokenPayload().parentRefreshTokenHash1, undefined);
    const t = s.getAllSessionTokensDangerously();
    assert.equal(t.accessAndFrontTokenUpdated, true, "the SDK sets the re-issued token");
    assert.ok(t.accessToken !== tokens1.accessToken, "a re-issued access token");
    const claims = claimsOf(t.accessToken);
    assert.equal(claims.parentRefreshTokenHash1, undefined);
    assert.equal(claims.refreshTokenHash1, claimsOf(tokens1.accessToken).refreshTokenHash1);
    assert.equal(claims.exp, claimsOf(tokens1.accessToken).exp);
    confirmedAccessToken = t.accessToken;
  });

  await check("later getSession calls with the re-issued token need no verify call", async () => {
    const before = calls.length;
    for (let i = 0; i < 3; i++) {
      const s = await Session.getSessionWithoutRequestResponse(
        confirmedAccessToken, tokens1.antiCsrfToken);
      assert.equal(s.getHandle(), handle);
      assert.equal(s.getAllSessionTokensDangerously().accessAndFrontTokenUpdated, false);
    }
    assert.ok(!callsDuring(before).includes("POST /recipe/session/verify"),
      "no verify call: " + callsDuring(before));
  });

  await check("session data: get and update", async () => {
    let info = await Session.getSessionInformation(handle);
    assert.deepEqual(info.sessionDataInDatabase, { cart: 1 });
    assert.equal(info.userId, "alice");
    assert.equal(info.tenantId, "public");
    assert.ok(info.expiry > Date.now() && info.timeCreated <= Date.now());
    assert.equal(await Session.updateSessionDataInDatabase(handle, { cart: 2, items: ["x"] }), true);
    info = await Session.getSessionInformation(handle);
    assert.deepEqual(info.sessionDataInDatabase, { cart: 2, items: ["x"] });
  });

  await check("mergeIntoAccessTokenPayload by handle reaches the next refresh", async () => {
    assert.equal(await Session.mergeIntoAccessTokenPayload(handle, { plan: "pro" }), true);
    const info = await Session.getSessionInformation(handle);
    assert.equal(info.customClaimsInAccessTokenPayload.plan, "pro");
    assert.equal(info.customClaimsInAccessTokenPayload.role, "admin");
    const r = await Session.refreshSessionWithoutRequestResponse(
      tokens1.refreshToken, false, tokens1.antiCsrfToken);
    tokens2 = r.getAllSessionTokensDangerously();
    const s = await Session.getSessionWithoutRequestResponse(
      tokens2.accessToken, tokens2.antiCsrfToken);
    assert.equal(s.getAccessTokenPayload().plan, "pro");
    assert.equal(s.getAccessTokenPayload().role, "admin");
  });

  await check("verify with checkDatabase re-issues a token whose payload changed by handle", async () => {
    assert.equal(await Session.mergeIntoAccessTokenPayload(handle, { seat: "12A" }), true);
    const s = await Session.getSessionWithoutRequestResponse(
      tokens2.accessToken, tokens2.antiCsrfToken, { checkDatabase: true });
    assert.equal(s.getAccessTokenPayload().seat, "12A");
    const t = s.getAllSessionTokensDangerously();
    assert.equal(t.accessAndFrontTokenUpdated, true);
    assert.ok(t.accessToken !== tokens2.accessToken, "a re-issued access token");
    assert.equal(await Session.mergeIntoAccessTokenPayload(handle, { seat: null }), true);
  });

  await check("mergeIntoAccessTokenPayload on a session object regenerates its token", async () => {
    const s = await Session.getSessionWithoutRequestResponse(
      tokens2.accessToken, tokens2.antiCsrfToken);
    const before = calls.length;
    await s.mergeIntoAccessTokenPayload({ theme: "dark", plan: null });
    assert.ok(callsDuring(before).includes("POST /recipe/session/regenerate"));
    assert.equal(s.getAccessTokenPayload().theme, "dark");
    assert.equal(s.getAccessTokenPayload().plan, undefined);
    const newToken = s.getAllSessionTokensDangerously().accessToken;
    assert.ok(newToken !== tokens2.accessToken, "a regenerated access token");
    const again = await Session.getSessionWithoutRequestResponse(newToken, tokens2.antiCsrfToken);
    assert.equal(again.getAccessTokenPayload().theme, "dark");
    const info = await Session.getSessionInformation(handle);
    assert.equal(info.customClaimsInAccessTokenPayload.theme, "dark");
    assert.equal(info.customClaimsInAccessTokenPayload.plan, undefined);
  });

  await check("createJWT is signed with a key from the JWKS", async () => {
    const r = await Session.createJWT({ purpose: "test" }, 60);
    assert.equal(r.status, "OK");
    const jwks = jose.createRemoteJWKSet(new URL(connectionURI + "/.well-known/jwks.json"));
    const { payload } = await jose.jwtVerify(r.jwt, jwks);
    assert.equal(payload.purpose, "test");
    assert.equal(payload.exp - payload.iat, 60);
    const keys = await Session.getJWKS();
    assert.ok(keys.keys.length >= 1);
    assert.ok(keys.validityInSeconds > 0 && keys.validityInSeconds <= 7 * 24 * 3600,
      "Cache-Control max-age read by the SDK: " + keys.validityInSeconds);
  });

  await check("replaying an old refresh token is theft and revokes the session", async () => {
    await assert.rejects(
      Session.refreshSessionWithoutRequestResponse(tokens0.refreshToken, false, tokens0.antiCsrfToken),
      (err) => {
        assert.equal(err.type, Session.Error.TOKEN_THEFT_DETECTED, err.message);
        assert.equal(err.payload.sessionHandle, handle);
        assert.equal(err.payload.userId, "alice");
        assert.equal(err.payload.recipeUserId.getAsString(), "alice");
        return true;
      });
    assert.equal(await Session.getSessionInformation(handle), undefined);
    await rejectsWith(
      Session.refreshSessionWithoutRequestResponse(tokens2.refreshToken, false, tokens2.antiCsrfToken),
      Session.Error.UNAUTHORISED);
    await rejectsWith(
      Session.getSessionWithoutRequestResponse(tokens2.accessToken, tokens2.antiCsrfToken,
        { checkDatabase: true }),
      Session.Error.UNAUTHORISED);
  });

  await check("an unknown refresh token is UNAUTHORISED", async () => {
    await rejectsWith(
      Session.refreshSessionWithoutRequestResponse("not-a-refresh-token", true),
      Session.Error.UNAUTHORISED);
  });

  await check("list and revoke a user's sessions", async () => {
    const bob = supertokens.convertToRecipeUserId("bob");
    const b1 = await Session.createNewSessionWithoutRequestResponse("public", bob, {}, {}, true);
    const b2 = await Session.createNewSessionWithoutRequestResponse("public", bob, {}, {}, true);
    assert.equal(b1.getAllSessionTokensDangerously().antiCsrfToken, undefined,
      "disableAntiCsrf: no anti-CSRF token");
    let handles = await Session.getAllSessionHandlesForUser("bob");
    assert.deepEqual([...handles].sort(), [b1.getHandle(), b2.getHandle()].sort());
    assert.equal(await Session.revokeSession(b1.getHandle()), true);
    assert.equal(await Session.revokeSession(b1.getHandle()), false);
    assert.deepEqual(await Session.revokeAllSessionsForUser("bob"), [b2.getHandle()]);
    handles = await Session.getAllSessionHandlesForUser("bob");
    assert.deepEqual(handles, []);
  });

  await check("getSessionInformation of an unknown handle is undefined", async () => {
    assert.equal(await Session.getSessionInformation("00000000-0000-4000-8000-000000000000"),
      undefined);
  });

  const distinct = [...new Set(calls)].sort();
  console.log("server calls made by the SDK: " + distinct.join(", "));
  console.log(`all ${step} steps passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
