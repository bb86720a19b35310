// Drives the demo page in headless Chromium (Debian's /usr/bin/chromium, through playwright-core)
// and reports what it observed; DemoBrowserTest starts it and makes the assertions.
//
//   node src/test/js/demo-e2e.mjs <baseUrl> <accessTokenValiditySeconds> <mode>...
//
// mode: "cookie" or "header". Protocol on stdout: "LOG <text>", "ADVANCE <seconds>" (the test
// moves the server's clock, then answers "OK" on stdin), and finally "RESULT <json>".
import { chromium } from "playwright-core";
import readline from "node:readline";

const [baseUrl, validitySeconds, ...modes] = process.argv.slice(2);
const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const TIMEOUT = 15_000;

async function advanceServerClock(seconds) {
  console.log("ADVANCE " + seconds);
  const answer = await stdin.next();
  if (answer.value !== "OK") {
    throw new Error("the test did not move the clock: " + answer.value);
  }
}

/** Counts calls by path, so that the test can tell exactly what the SDK sent. */
function recordCalls(page) {
  const calls = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/auth/") || url.pathname.startsWith("/api/")) {
      calls.push(res.request().method() + " " + url.pathname + " " + res.status());
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

async function scenario(mode) {
  const user = "alice-" + mode;
  const context = await browser.newContext();
  const page = await context.newPage();
  const calls = recordCalls(page);
  const r = { mode };

  await signIn(page, mode, user);
  r.userId = await page.textContent("#user-id");
  r.payload = JSON.parse(await page.textContent("#payload"));
  r.sessionRows = await page.locator("#sessions tr").count();
  r.cookies = (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, path: c.path }));

  await page.fill("#session-data", JSON.stringify({ note: "edited in " + mode }));
  await page.click("#save-data");
  await page.locator("#data-status", { hasText: "saved" }).waitFor({ timeout: TIMEOUT });
  r.sessionData = await page.evaluate(async () => (await fetch("/api/session-data")).json());

  // The access token expires on the server; the next API call must refresh once and retry.
  await advanceServerClock(Number(validitySeconds) + 1);
  calls.length = 0;
  await page.click("#call-api");
  await page.locator("#api-result", { hasText: user }).waitFor({ timeout: TIMEOUT });
  r.callsOnExpiry = [...calls];
  r.apiResult = JSON.parse(await page.textContent("#api-result"));

  calls.length = 0;
  await page.click("#signout");
  await page.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  r.callsOnSignOut = [...calls];
  r.cookiesAfterSignOut = (await context.cookies()).map((c) => c.name);
  calls.length = 0;
  r.apiStatusAfterSignOut = await page.evaluate(async () => (await fetch("/api/me")).status);
  r.callsAfterSignOut = [...calls];
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

  await signIn(laptopPage, "cookie", user);
  await signIn(phonePage, "cookie", user);
  await laptopPage.click("#list-sessions");
  await laptopPage.locator("#sessions tr").nth(1).waitFor({ timeout: TIMEOUT });
  r.sessionRows = await laptopPage.locator("#sessions tr").count();

  await laptopPage.click("#signout-everywhere");
  await laptopPage.locator("#signed-out").waitFor({ timeout: TIMEOUT });

  // Without blacklisting, the phone's access token works until it expires; then refresh fails.
  await advanceServerClock(Number(validitySeconds) + 1);
  phoneCalls.length = 0;
  await phonePage.click("#call-api");
  await phonePage.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  r.phoneCalls = [...phoneCalls];
  await laptop.close();
  await phone.close();
  return r;
}

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
    results[mode] = mode === "everywhere" ? await signOutEverywhere() : await scenario(mode);
  }
} finally {
  await browser.close();
}
console.log("RESULT " + JSON.stringify(results));
process.exit(0);
