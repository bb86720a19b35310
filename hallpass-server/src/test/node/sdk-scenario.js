// Drives a Hallpass server through one supertokens-node release, the way a Node backend would.
// Every step asserts its result; any failure exits non-zero. run-all.js runs it once per release.
//
//   HALLPASS_URL=http://127.0.0.1:3567 HALLPASS_API_KEY=... SDK=sn24 node sdk-scenario.js
//
// SDK names an npm alias of package.json (sn20 = supertokens-node 20.1.7, ...). User ids carry the
// alias, so that releases running against one server never see each other's sessions. The server
// must accept the tenants t1 and t2 and refuse t9 (--tenants t1,t2).
"use strict";

const assert = require("node:assert/strict");
const sdk = process.env.SDK;
assert.ok(sdk, "SDK must be set (an npm alias of package.json, e.g. sn24)");
const supertokens = require(sdk);
const Session = require(sdk + "/recipe/session");
const { version: sdkVersion, cdiSupported } = require(sdk + "/lib/build/version");
const jose = require("jose");

const connectionURI = process.env.HALLPASS_URL;
assert.ok(connectionURI, "HALLPASS_URL must be set");

// Every call the SDK makes to the server, as "METHOD /path", and the cdi-version headers it sent.
const calls = [];
const cdiVersionsSent = new Set();

supertokens.init({
  supertokens: {
    connectionURI,
    apiKey: process.env.HALLPASS_API_KEY || undefined,
    networkInterceptor: (request) => {
      calls.push(request.method.toUpperCase() + " " + new URL(request.url).pathname);
      if (request.headers && request.headers["cdi-version"] !== undefined) {
        cdiVersionsSent.add(request.headers["cdi-version"]);
      }
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

// A user id of this release's run.
const user = (name) => `${name}-${sdk}`;

let step = 0;
async function check(name, fn) {
  step++;
  try {
    await fn();
    console.log(`${sdk}: ok ${step} - ${name}`);
  } catch (e) {
    console.log(`${sdk}: not ok ${step} - ${name}`);
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
  await check(`supertokens-node ${sdkVersion} negotiates its own core driver interface version`, async () => {
    await Session.getAllSessionHandlesForUser(user("nobody")); // the SDK asks /apiversion first
    assert.deepEqual([...cdiVersionsSent], [cdiSupported[cdiSupported.length - 1]],
      "cdi-version headers sent: " + [...cdiVersionsSent]);
  });

  const alice = supertokens.convertToRecipeUserId(user("alice"));
  let created, tokens0, tokens1, tokens2, handle, confirmedAccessToken;

  await check("create a session without request/response", async () => {
    created = await Session.createNewSessionWithoutRequestResponse(
      "public", alice, { role: "admin" }, { cart: 1 });
    assert.equal(created.getUserId(), user("alice"));
    assert.equal(created.getRecipeUserId().getAsString(), user("alice"));
    assert.equal(created.getTenantId(), "public");
    assert.equal(created.getAccessTokenPayload().role, "admin");
    assert.equal(created.getAccessTokenPayload().sub, user("alice"));
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
    assert.equal(s.getUserId(), user("alice"));
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
    assert.equal(info.userId, user("alice"));
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
        assert.equal(err.payload.userId, user("alice"));
        assert.equal(err.payload.recipeUserId.getAsString(), user("alice"));
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
    const bob = supertokens.convertToRecipeUserId(user("bob"));
    const b1 = await Session.createNewSessionWithoutRequestResponse("public", bob, {}, {}, true);
    const b2 = await Session.createNewSessionWithoutRequestResponse("public", bob, {}, {}, true);
    assert.equal(b1.getAllSessionTokensDangerously().antiCsrfToken, undefined,
      "disableAntiCsrf: no anti-CSRF token");
    let handles = await Session.getAllSessionHandlesForUser(user("bob"));
    assert.deepEqual([...handles].sort(), [b1.getHandle(), b2.getHandle()].sort());
    assert.equal(await Session.revokeSession(b1.getHandle()), true);
    assert.equal(await Session.revokeSession(b1.getHandle()), false);
    assert.deepEqual(await Session.revokeAllSessionsForUser(user("bob")), [b2.getHandle()]);
    handles = await Session.getAllSessionHandlesForUser(user("bob"));
    assert.deepEqual(handles, []);
  });

  await check("getSessionInformation of an unknown handle is undefined", async () => {
    assert.equal(await Session.getSessionInformation("00000000-0000-4000-8000-000000000000"),
      undefined);
  });

  await check("sessions in tenants: created, verified and refreshed in their tenant", async () => {
    const dave = supertokens.convertToRecipeUserId(user("dave"));
    const t1 = await Session.createNewSessionWithoutRequestResponse("t1", dave, { plan: "a" }, {});
    assert.equal(t1.getTenantId(), "t1");
    const tokens = t1.getAllSessionTokensDangerously();
    assert.equal(claimsOf(tokens.accessToken).tId, "t1");
    assert.ok(calls.includes("POST /t1/recipe/session"), "created under /t1: " + calls);
    let s = await Session.getSessionWithoutRequestResponse(tokens.accessToken, tokens.antiCsrfToken);
    assert.equal(s.getTenantId(), "t1");
    s = await Session.getSessionWithoutRequestResponse(tokens.accessToken, tokens.antiCsrfToken,
      { checkDatabase: true });
    assert.equal(s.getTenantId(), "t1");
    const r = await Session.refreshSessionWithoutRequestResponse(
      tokens.refreshToken, false, tokens.antiCsrfToken);
    assert.equal(r.getTenantId(), "t1");
    const rt = r.getAllSessionTokensDangerously();
    assert.equal(claimsOf(rt.accessToken).tId, "t1");
    s = await Session.getSessionWithoutRequestResponse(rt.accessToken, rt.antiCsrfToken);
    assert.equal(s.getTenantId(), "t1");
    assert.equal(s.getAccessTokenPayload().plan, "a");
    assert.equal((await Session.getSessionInformation(t1.getHandle())).tenantId, "t1");
  });

  await check("listing and revoking per tenant and across all tenants", async () => {
    const erin = supertokens.convertToRecipeUserId(user("erin"));
    const inT1 = await Session.createNewSessionWithoutRequestResponse("t1", erin, {}, {});
    const inT2 = await Session.createNewSessionWithoutRequestResponse("t2", erin, {}, {});
    const inPublic = await Session.createNewSessionWithoutRequestResponse("public", erin, {}, {});
    const sorted = (a) => [...a].sort();
    assert.deepEqual(await Session.getAllSessionHandlesForUser(user("erin"), true, "t1"),
      [inT1.getHandle()]);
    assert.deepEqual(await Session.getAllSessionHandlesForUser(user("erin"), true, "t2"),
      [inT2.getHandle()]);
    assert.deepEqual(await Session.getAllSessionHandlesForUser(user("erin"), true, "public"),
      [inPublic.getHandle()]);
    assert.deepEqual(sorted(await Session.getAllSessionHandlesForUser(user("erin"))),
      sorted([inT1.getHandle(), inT2.getHandle(), inPublic.getHandle()]));
    assert.deepEqual(await Session.revokeAllSessionsForUser(user("erin"), true, "t1"),
      [inT1.getHandle()]);
    const t1Tokens = inT1.getAllSessionTokensDangerously();
    await rejectsWith(
      Session.refreshSessionWithoutRequestResponse(t1Tokens.refreshToken, false, t1Tokens.antiCsrfToken),
      Session.Error.UNAUTHORISED);
    assert.deepEqual(sorted(await Session.getAllSessionHandlesForUser(user("erin"))),
      sorted([inT2.getHandle(), inPublic.getHandle()]));
    assert.deepEqual(sorted(await Session.revokeAllSessionsForUser(user("erin"))),
      sorted([inT2.getHandle(), inPublic.getHandle()]));
    assert.deepEqual(await Session.getAllSessionHandlesForUser(user("erin")), []);
  });

  await check("a tenant the server does not accept is refused with the core's 400", async () => {
    const frank = supertokens.convertToRecipeUserId(user("frank"));
    await assert.rejects(
      Session.createNewSessionWithoutRequestResponse("t9", frank, {}, {}),
      (err) => {
        assert.match(err.message, /status code: 400/);
        assert.match(err.message, /AppId or tenantId not found/);
        return true;
      });
    assert.deepEqual(await Session.getAllSessionHandlesForUser(user("frank")), []);
  });

  const distinct = [...new Set(calls)].sort();
  console.log(`${sdk}: server calls made by supertokens-node ${sdkVersion}: ` + distinct.join(", "));
  console.log(`${sdk}: all ${step} steps passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
