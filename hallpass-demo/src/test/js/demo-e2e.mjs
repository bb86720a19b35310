// Drives the demo page in headless Chromium (Debian's /usr/bin/chromium, through playwright-core)
// and reports what it observed; DemoBrowserTest starts it and makes the assertions.
//
//   node src/test/js/demo-e2e.mjs <baseUrl> <accessTokenValiditySeconds> <sessionValiditySeconds>
//       <scenario>...
//
// scenario: "cookie" or "header" (the whole page in that mode), "everywhere", "expiry", "theft",
// "tabs", "devices", "claims", "claims-header".
// Protocol on stdout: "LOG <text>", "ADVANCE <seconds>" (the test moves the server's clock, then
// answers "OK" on stdin), and finally "RESULT <json>". No token ever leaves this script.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [baseUrl, validitySeconds, sessionValiditySeconds, ...modes] = process.argv.slice(2);
const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const TIMEOUT = 15_000;

async function advanceServerClock(seconds) {
  console.log("ADVANCE " + seconds);
  const answer = await stdin.next();
  if (answer.value !== "OK") {
    throw new Error("the test did not move the clock: " + answer.value);
  }
}

/**
 * Counts calls by path, so that the test can tell exactly what the SDK sent. calls.withTokens lists
 * the calls whose answer carried a new access token (a front-token header other than "remove").
 */
function recordCalls(page) {
  const calls = [];
  calls.withTokens = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/auth/") || url.pathname.startsWith("/api/")) {
      const call = res.request().method() + " " + url.pathname + " " + res.status();
      calls.push(call);
      const frontToken = res.headers()["front-token"];
      if (frontToken && frontToken !== "remove") {
        calls.withTokens.push(call);
      }
    }
  });
  page.on("console", (m) => {
    // 401s are part of the protocol; anything else the page reports is worth seeing.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      console.log("LOG page console error: " + m.text());
    }
  });
  page.on("pageerror", (e) => console.log("LOG page error: " + e.message));
  return calls;
}

async function signIn(page, mode, user) {
  await page.goto(baseUrl + (mode === "header" ? "?auth=header" : ""));
  await page.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  await page.fill("#user-name", user);
  await page.click("#signin");
  await page.locator("#user-id", { hasText: user }).waitFor({ timeout: TIMEOUT });
  await page.locator("#sessions tr").first().waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(() => document.getElementById("payload").textContent !== "");
}

/** The page's log ("What happened"), oldest first, without the times. */
function pageLog(page) {
  return page.$$eval("#log li .what", (items) => items.map((i) => i.textContent).reverse());
}

/**
 * Checks that the page's log never shows a token: every token value the browser has held (its
 * session cookies: tokens, front-token; in header mode the SDK keeps the tokens in cookies too) is
 * looked for in the log before the log is cleared and at the end of each scenario. Only the
 * verdict and the number of values checked leave this script.
 */
let audit;

function startAudit() {
  audit = { tokens: new Set(), leaked: false };
}

async function auditLog(page) {
  for (const c of await page.context().cookies()) {
    if (c.value.length >= 16) {
      audit.tokens.add(c.value);
    }
  }
  const text = (await page.textContent("#log")) || "";
  if ([...audit.tokens].some((token) => text.includes(token))) {
    audit.leaked = true;
  }
}

function auditResult(r) {
  r.logShowsAToken = audit.leaked;
  r.tokensChecked = audit.tokens.size;
}

async function clearPageLog(page) {
  await auditLog(page);
  await page.evaluate(() => document.getElementById("log").replaceChildren());
}

/** Waits for the page's explanation of an ended session and returns it. */
async function endedMessage(page) {
  await page.locator("#ended").waitFor({ timeout: TIMEOUT });
  return page.textContent("#ended");
}

function resetCalls(calls) {
  calls.length = 0;
  calls.withTokens.length = 0;
}

/**
 * The claims of the access token the browser holds: the HttpOnly sAccessToken cookie in cookie
 * mode, the SDK's st-access-token cookie in header mode. Only claim names and a few values leave
 * this script, never a token.
 */
async function accessTokenClaims(context, mode) {
  const name = mode === "header" ? "st-access-token" : "sAccessToken";
  const cookie = (await context.cookies()).find((c) => c.name === name);
  if (!cookie) {
    return null;
  }
  return JSON.parse(Buffer.from(cookie.value.split(".")[1], "base64url").toString("utf8"));
}

/** Lets the access token expire on the server, then calls the API once; reports what happened. */
async function expireAndCallApi(page, context, calls, mode, user) {
  await advanceServerClock(Number(validitySeconds) + 1);
  await page.evaluate(() => { document.getElementById("api-result").textContent = ""; });
  resetCalls(calls);
  await clearPageLog(page);
  await page.click("#call-api");
  await page.locator("#api-result", { hasText: user }).waitFor({ timeout: TIMEOUT });
  const claims = await accessTokenClaims(context, mode);
  return {
    calls: [...calls],
    log: await pageLog(page),
    callsWithTokens: [...calls.withTokens],
    claimNames: claims ? Object.keys(claims).sort() : null,
    theme: claims ? claims.theme : null,
  };
}

async function saveSessionData(page, note) {
  await page.evaluate(() => { document.getElementById("data-status").textContent = ""; });
  await page.fill("#session-data", JSON.stringify({ note }));
  await page.click("#save-data");
  await page.locator("#data-status", { hasText: "saved" }).waitFor({ timeout: TIMEOUT });
}

async function saveClaims(page, json) {
  await page.evaluate(() => { document.getElementById("claims-status").textContent = ""; });
  await page.fill("#claims", json);
  await page.click("#save-claims");
  await page.locator("#claims-status:not(:empty)").waitFor({ timeout: TIMEOUT });
  return page.textContent("#claims-status");
}

async function scenario(mode) {
  const user = "alice-" + mode;
  const context = await browser.newContext();
  const page = await context.newPage();
  const calls = recordCalls(page);
  const r = { mode };
  startAudit();

  await signIn(page, mode, user);
  r.userId = await page.textContent("#user-id");
  r.payload = JSON.parse(await page.textContent("#payload"));
  r.sessionRows = await page.locator("#sessions tr").count();
  r.cookies = (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, path: c.path }));

  await saveSessionData(page, "edited in " + mode);
  r.sessionData = await page.evaluate(async () => (await fetch("/api/session-data")).json());

  // The user's own claims: the engine's limit comes back as a 400 message; a small set is saved.
  r.oversizedClaimsStatus = await saveClaims(page, JSON.stringify({ note: "x".repeat(2100) }));
  r.claimsStatus = await saveClaims(page, JSON.stringify({ role: "visitor", theme: "dark" }));
  await page.locator("#payload", { hasText: "dark" }).waitFor({ timeout: TIMEOUT });

  // The access token expires on the server; the next API call must refresh once and retry. The
  // retry is the first use of the new tokens: its answer carries a re-issued access token
  // without parentRefreshTokenHash1.
  const expiry = await expireAndCallApi(page, context, calls, mode, user);
  r.callsOnExpiry = expiry.calls;
  r.logOnExpiry = expiry.log;
  r.callsWithTokensOnExpiry = expiry.callsWithTokens;
  r.claimNamesAfterRefresh = expiry.claimNames;
  r.themeAfterRefresh = expiry.theme;
  r.apiResult = JSON.parse(await page.textContent("#api-result"));

  // The next call uses the re-issued token: no new token.
  resetCalls(calls);
  await page.evaluate(() => { document.getElementById("api-result").textContent = ""; });
  await page.click("#call-api");
  await page.locator("#api-result", { hasText: user }).waitFor({ timeout: TIMEOUT });
  r.callsAfterRefresh = [...calls];
  r.callsWithTokensAfterRefresh = [...calls.withTokens];

  // Two more refresh cycles, each followed by a state-changing call (anti-CSRF checked).
  r.moreCycles = [];
  for (let cycle = 1; cycle <= 2; cycle++) {
    const c = await expireAndCallApi(page, context, calls, mode, user);
    await saveSessionData(page, "cycle " + cycle);
    c.sessionData = await page.evaluate(async () => (await fetch("/api/session-data")).json());
    r.moreCycles.push(c);
  }

  resetCalls(calls);
  await auditLog(page);
  await page.click("#signout");
  await page.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  r.callsOnSignOut = [...calls];
  r.cookiesAfterSignOut = (await context.cookies()).map((c) => c.name);
  resetCalls(calls);
  r.apiStatusAfterSignOut = await page.evaluate(async () => (await fetch("/api/me")).status);
  r.callsAfterSignOut = [...calls];
  // The SDK reports that 401 as UNAUTHORISED too; after signing out here nothing needs explaining.
  r.endedShownAfterSignOut = await page.isVisible("#ended");
  await auditLog(page);
  auditResult(r);
  await context.close();
  return r;
}

/** Two browsers of one user; "sign out everywhere" in one ends the other at its next refresh. */
async function signOutEverywhere() {
  const user = "bob";
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  recordCalls(laptopPage);
  const phoneCalls = recordCalls(phonePage);
  const r = {};
  startAudit();

  await signIn(laptopPage, "cookie", user);
  await signIn(phonePage, "cookie", user);
  await laptopPage.click("#list-sessions");
  await laptopPage.locator("#sessions tr").nth(1).waitFor({ timeout: TIMEOUT });
  r.sessionRows = await laptopPage.locator("#sessions tr").count();

  await laptopPage.click("#signout-everywhere");
  await laptopPage.locator("#signed-out").waitFor({ timeout: TIMEOUT });

  // Without blacklisting, the phone's access token works until it expires; then refresh fails.
  await advanceServerClock(Number(validitySeconds) + 1);
  resetCalls(phoneCalls);
  await clearPageLog(phonePage);
  await phonePage.click("#call-api");
  r.phoneEnded = await endedMessage(phonePage);
  r.phoneSignInShown = await phonePage.isVisible("#signin-form");
  r.phoneCalls = [...phoneCalls];
  r.phoneLog = await pageLog(phonePage);
  r.laptopEndedShown = await laptopPage.isVisible("#ended");
  await auditLog(laptopPage);
  await auditLog(phonePage);
  auditResult(r);
  await laptop.close();
  await phone.close();
  return r;
}

/** The rows of "My devices" as "ip | browser | action". */
function deviceRows(page) {
  return page.$$eval("#sessions tr", (rows) => rows.map((tr) =>
    [".device-ip", ".device-agent", ".device-action"]
      .map((c) => tr.querySelector(c).textContent).join(" | ")));
}

/**
 * Two browsers of one user (told apart by their User-Agent); "sign out this device" on the laptop
 * ends the phone's session only: the phone's page says so at its next refresh.
 */
async function devices() {
  const user = "dora";
  const laptop = await browser.newContext({ userAgent: "HallpassDemoTest/laptop" });
  const phone = await browser.newContext({ userAgent: "HallpassDemoTest/phone" });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  recordCalls(laptopPage);
  recordCalls(phonePage);
  const r = {};
  startAudit();

  await signIn(laptopPage, "cookie", user);
  await signIn(phonePage, "cookie", user);
  await laptopPage.click("#list-sessions");
  await laptopPage.locator("#sessions tr").nth(1).waitFor({ timeout: TIMEOUT });
  r.rowsBefore = await deviceRows(laptopPage);

  await laptopPage.click("#sessions .revoke-device");
  await laptopPage.waitForFunction(() => document.querySelectorAll("#sessions tr").length === 1);
  r.rowsAfter = await deviceRows(laptopPage);

  await advanceServerClock(Number(validitySeconds) + 1);
  await clearPageLog(phonePage);
  await phonePage.click("#call-api");
  r.phoneEnded = await endedMessage(phonePage);
  await laptopPage.click("#call-api");
  await laptopPage.waitForFunction(() => document.getElementById("api-result").textContent !== "");
  r.laptopStillSignedIn = await laptopPage.isVisible("#signed-in");
  await auditLog(laptopPage);
  await auditLog(phonePage);
  auditResult(r);
  await laptop.close();
  await phone.close();
  return r;
}

/** The session is not used for longer than its lifetime: the page says it expired. */
async function expiry() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const calls = recordCalls(page);
  const r = {};
  startAudit();
  await signIn(page, "cookie", "carol");

  await advanceServerClock(Number(sessionValiditySeconds) + 1);
  resetCalls(calls);
  await clearPageLog(page);
  await page.click("#call-api");
  r.ended = await endedMessage(page);
  r.signInShown = await page.isVisible("#signin-form");
  r.calls = [...calls];
  r.log = await pageLog(page);
  await auditLog(page);
  auditResult(r);
  await context.close();
  return r;
}

/**
 * A copy of the browser's cookies (a stolen copy) replays the refresh token the browser has since
 * replaced and used: theft. The copy's page says so at once; the original's says so at its next
 * refresh (without blacklisting its access token works until it expires).
 */
async function theft() {
  const original = await browser.newContext();
  const page = await original.newPage();
  const calls = recordCalls(page);
  const r = {};
  startAudit();
  await signIn(page, "cookie", "dave");
  const stolen = await original.cookies();

  // The original refreshes (a new refresh token) and uses the new tokens (the retry confirms them).
  const refresh = await expireAndCallApi(page, original, calls, "cookie", "dave");
  r.originalRefreshCalls = refresh.calls;

  // After the grace period the copy presents the replaced refresh token.
  await advanceServerClock(Number(validitySeconds) + 1);
  const copy = await browser.newContext();
  await copy.addCookies(stolen);
  const copyPage = await copy.newPage();
  const copyCalls = recordCalls(copyPage);
  await copyPage.goto(baseUrl);
  await endedMessage(copyPage);
  // The page's other calls, made while the session still existed, end too: the message stays.
  await copyPage.waitForLoadState("networkidle");
  r.copyEnded = await copyPage.textContent("#ended");
  r.copySignInShown = await copyPage.isVisible("#signin-form");
  r.copyRefreshCalls = copyCalls.filter((c) => c.startsWith("POST /auth/session/refresh"));
  r.copyLog = await pageLog(copyPage);
  r.copyCookiesAfter = (await copy.cookies()).map((c) => c.name);
  await auditLog(copyPage);

  // The original's next refresh finds the session revoked.
  resetCalls(calls);
  await clearPageLog(page);
  await page.click("#call-api");
  r.originalEnded = await endedMessage(page);
  r.originalCalls = [...calls];
  r.originalLog = await pageLog(page);
  await auditLog(page);
  auditResult(r);
  await copy.close();
  await original.close();
  return r;
}

/** Two tabs of one browser share the session: signing out in one is explained in the other. */
async function tabs() {
  const context = await browser.newContext();
  const first = await context.newPage();
  const r = {};
  startAudit();
  await signIn(first, "cookie", "heidi");
  const second = await context.newPage();
  const secondCalls = recordCalls(second);
  await second.goto(baseUrl);
  await second.locator("#user-id", { hasText: "heidi" }).waitFor({ timeout: TIMEOUT });
  await auditLog(first);
  await auditLog(second);

  await first.click("#signout");
  await first.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  r.firstEndedShown = await first.isVisible("#ended");
  resetCalls(secondCalls);
  await clearPageLog(second);
  await second.click("#call-api");
  r.secondEnded = await endedMessage(second);
  r.secondCalls = [...secondCalls];
  r.secondLog = await pageLog(second);
  await auditLog(first);
  await auditLog(second);
  auditResult(r);
  await context.close();
  return r;
}

/** The SDK's own verdict on st-ev from the token it holds: the reasons of failed validators. */
function sdkValidatesEmailVerified(page) {
  return page.evaluate(async () => {
    const claim = new supertokens.BooleanClaim({ id: "st-ev", refresh: async () => {} });
    const errors = await supertokens.validateClaims(() => [claim.validators.isTrue()]);
    return errors.map((e) => e.id + ": " + e.reason.message);
  });
}

/**
 * The members area needs st-ev true: the first call gets 403 "invalid claim", which the SDK reports
 * (API_INVALID_CLAIM) and the page shows; after "Verify my email" flips the server-side value, the
 * next call goes through and brings a new access token with st-ev true.
 */
async function claims(mode, user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const calls = recordCalls(page);
  const r = {};
  startAudit();
  await signIn(page, mode, user);
  resetCalls(calls);
  await clearPageLog(page);

  await page.click("#call-members");
  await page.locator("#claim-problem").waitFor({ timeout: TIMEOUT });
  await page.locator("#email-verified", { hasText: "no" }).waitFor({ timeout: TIMEOUT });
  r.refusedCalls = [...calls];
  r.refusedLog = await pageLog(page);
  r.claimInTokenBefore = (await accessTokenClaims(context, mode))["st-ev"].v;
  r.sdkErrorsBefore = await sdkValidatesEmailVerified(page);
  r.membersResultBefore = await page.textContent("#members-result");

  resetCalls(calls);
  await clearPageLog(page);
  await page.click("#verify-email");
  await page.locator("#members-result", { hasText: user }).waitFor({ timeout: TIMEOUT });
  await page.locator("#email-verified", { hasText: "yes" }).waitFor({ timeout: TIMEOUT });
  r.recoveredCalls = [...calls];
  r.recoveredCallsWithTokens = [...calls.withTokens];
  r.recoveredLog = await pageLog(page);
  r.claimProblemShown = await page.isVisible("#claim-problem");
  r.claimInTokenAfter = (await accessTokenClaims(context, mode))["st-ev"].v;
  r.sdkErrorsAfter = await sdkValidatesEmailVerified(page);

  // The value now stays in the payload, also across a refresh: no new token, no re-fetch needed.
  await advanceServerClock(Number(validitySeconds) + 1);
  resetCalls(calls);
  await page.click("#call-members");
  await page.locator("#members-result", { hasText: user }).waitFor({ timeout: TIMEOUT });
  await page.waitForLoadState("networkidle");
  r.afterRefreshCalls = [...calls];
  r.claimAfterRefresh = (await accessTokenClaims(context, mode))["st-ev"].v;
  await auditLog(page);
  auditResult(r);
  await context.close();
  return r;
}

const SCENARIOS = {
  everywhere: signOutEverywhere, expiry, theft, tabs, devices,
  claims: () => claims("cookie", "erin"), "claims-header": () => claims("header", "frank"),
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  chromiumSandbox: false,
  args: ["--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const results = {};
try {
  for (const mode of modes) {
    results[mode] = SCENARIOS[mode] ? await SCENARIOS[mode]() : await scenario(mode);
  }
} finally {
  await browser.close();
}
console.log("RESULT " + JSON.stringify(results));
process.exit(0);
