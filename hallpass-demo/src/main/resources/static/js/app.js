"use strict";
// The demo page. supertokens-website (global `supertokens`) wraps fetch: it adds the session
// headers, and on a 401 it calls POST /auth/session/refresh once and retries the request. The page
// never sees that 401 or the refresh, so it logs what goes over the wire itself (see below).

const $ = (id) => document.getElementById(id);
const mode = new URLSearchParams(location.search).get("auth") === "header" ? "header" : "cookie";
let accessTokenExpiry = 0;
// Claims Hallpass sets itself; the rest of the access-token payload is the application's.
const SESSION_CLAIMS = ["sub", "exp", "iat", "sessionHandle", "refreshTokenHash1",
  "parentRefreshTokenHash1", "antiCsrfToken", "tId", "rsub"];
// The session this page shows, if any: when the server ends it, the page says why.
let sessionShown = false;
// The message of the last answer that cleared the session's tokens (front-token: remove).
let clearedBy = null;
const HANDLE_KEY = "hallpass-demo.sessionHandle";

// What went over the wire, for the log. The SDK keeps the fetch it finds at init as its "original"
// and makes every real request through it (the page's call, the refresh, the retry), so this
// wrapper, installed first, sees them all. It logs method, path, status, the JSON "message" of an
// error and whether the answer brought or cleared tokens: never a header value or a token.
const wireFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const request = input instanceof Request ? input : null;
  const method = ((init && init.method) || (request ? request.method : "GET")).toUpperCase();
  const path = new URL(request ? request.url : String(input), location.href).pathname;
  const res = await wireFetch(input, init);
  let text = method + " " + path + " → " + res.status;
  if (!res.ok) {
    const body = await res.clone().json().catch(() => null);
    if (body && typeof body.message === "string") {
      text += " \"" + body.message + "\"";
    }
    if (res.headers.get("front-token") === "remove") {
      clearedBy = body && body.message;
    }
  }
  const frontToken = res.headers.get("front-token");
  if (frontToken === "remove") {
    text += " (tokens cleared)";
  } else if (frontToken) {
    text += path === "/auth/session/refresh" ? " (new tokens)" : " (new access token)";
    rememberHandle(frontToken);
  }
  log(text);
  return res;
};

/** Keeps the session's handle (from the front-token's payload) to ask why, should it end. */
function rememberHandle(frontToken) {
  try {
    const handle = JSON.parse(atob(frontToken)).up.sessionHandle;
    if (typeof handle === "string") {
      localStorage.setItem(HANDLE_KEY, handle);
    }
  } catch (err) {
    // Not a front-token we understand: keep what we had.
  }
}

// "Email verified" as the SDK reads it from the access token ("st-ev": {"v": true, "t": ms}).
// refresh() is what the SDK's validateClaims() calls for a missing or too old value; this page
// instead lets the server re-fetch the value on the next claim-gated call.
const EmailVerifiedClaim = new supertokens.BooleanClaim({ id: "st-ev", refresh: async () => {} });

supertokens.init({
  apiDomain: location.origin,
  apiBasePath: "/auth",
  tokenTransferMethod: mode,
  onHandleEvent: (event) => {
    log("SDK event: " + event.action);
    if (event.action === "SIGN_OUT") {
      sessionShown = false;
      localStorage.removeItem(HANDLE_KEY);
      showSignedOut();
    } else if (event.action === "UNAUTHORISED") {
      sessionEnded(event.sessionExpiredOrRevoked);
    } else if (event.action === "REFRESH_SESSION" || event.action === "ACCESS_TOKEN_PAYLOAD_UPDATED") {
      showPayload();
    } else if (event.action === "API_INVALID_CLAIM") {
      // A 403 "invalid claim": the server says which claim failed and why.
      const reasons = event.claimValidationErrors.map((e) => e.id + " (" + e.reason.message + ")");
      log("claim failed: " + reasons.join(", "));
      if (event.claimValidationErrors.some((e) => e.id === "st-ev")) {
        $("claim-problem").hidden = false;
      }
    }
  },
});

/** The user-facing explanation of each ending. */
const ENDINGS = {
  "token-theft": "Signed out for your safety: token theft detected. This session's refresh token "
    + "was used again after a newer one had replaced it, so someone else may hold a copy; the "
    + "server ended the session in every browser. Sign in again.",
  "expired": "Your session expired: it was not used for longer than the session lifetime. "
    + "Sign in again.",
  "signed-out-elsewhere": "You were signed out elsewhere: this session was ended from another "
    + "browser or device (Sign out everywhere). Sign in again.",
  "signed-out-in-another-tab": "You were signed out in another tab of this browser.",
  "unknown": "Your session has ended: the server no longer accepts it. Sign in again.",
};

/**
 * The SDK dropped the session (UNAUTHORISED). With sessionExpiredOrRevoked the server refused it:
 * a theft verdict says so itself; "unauthorised" does not say why, so the page asks the demo
 * server, which remembers expiries and revocations. Without it the session had already vanished
 * locally: another tab signed out.
 */
async function sessionEnded(expiredOrRevoked) {
  if (!sessionShown) {
    return; // nothing on screen to explain (e.g. a late answer to a call made before the end)
  }
  sessionShown = false;
  showSignedOut();
  const handle = localStorage.getItem(HANDLE_KEY);
  localStorage.removeItem(HANDLE_KEY);
  let reason = "unknown";
  if (!expiredOrRevoked) {
    reason = "signed-out-in-another-tab";
  } else if (clearedBy === "token theft detected") {
    reason = "token-theft";
  } else if (handle) {
    const res = await fetch("/api/session-ending?handle=" + encodeURIComponent(handle));
    const json = res.ok ? await res.json().catch(() => null) : null;
    if (json && json.reason in ENDINGS) {
      reason = json.reason;
    }
  }
  clearedBy = null;
  log("Session ended: " + reason);
  $("ended").textContent = ENDINGS[reason];
  $("ended").hidden = false;
}

/** Thrown by api() when the call failed because the session ended: sessionEnded() explains. */
class SessionEnded extends Error {}

function log(text) {
  const li = document.createElement("li");
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  const what = document.createElement("span");
  what.className = "what";
  what.textContent = text;
  li.append(time, "  ", what);
  $("log").prepend(li);
}

async function api(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init); // logged by the wire wrapper above
  const json = await res.json().catch(() => null);
  if (res.status === 401 && !(await supertokens.doesSessionExist())) {
    throw new SessionEnded();
  }
  if (!res.ok) {
    throw new Error((json && json.message) || "HTTP " + res.status);
  }
  return json;
}

function showSignedOut() {
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  $("api-result").textContent = "";
}

async function showSignedIn() {
  sessionShown = true;
  clearedBy = null;
  $("ended").hidden = true;
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  $("user-id").textContent = await supertokens.getUserId();
  await Promise.all([showPayload(), loadSessionData(), listSessions()]);
}

async function showPayload() {
  if (!(await supertokens.doesSessionExist())) {
    return;
  }
  const payload = await supertokens.getAccessTokenPayloadSecurely();
  $("payload").textContent = JSON.stringify(payload, null, 2);
  accessTokenExpiry = payload.exp * 1000;
  const verified = await supertokens.getClaimValue({ claim: EmailVerifiedClaim });
  $("email-verified").textContent = verified === undefined ? "unknown" : verified ? "yes" : "no";
  if (document.activeElement !== $("claims")) {
    const claims = Object.fromEntries(Object.entries(payload)
      .filter(([name]) => !SESSION_CLAIMS.includes(name)));
    $("claims").value = JSON.stringify(claims);
  }
}

async function loadSessionData() {
  $("session-data").value = JSON.stringify(await api("GET", "/api/session-data"), null, 2);
}

async function listSessions() {
  const rows = await api("GET", "/api/sessions");
  $("sessions").replaceChildren(...rows.map((s) => {
    const tr = document.createElement("tr");
    tr.className = s.current ? "current" : "";
    const cells = [["device-ip", s.ip || "unknown"], ["device-agent", s.userAgent || "unknown"],
      ["", s.createdAt], ["", s.lastActiveAt]];
    for (const [cls, text] of cells) {
      const td = document.createElement("td");
      td.className = cls;
      td.textContent = text;
      tr.append(td);
    }
    const action = document.createElement("td");
    action.className = "device-action";
    if (s.current) {
      action.textContent = "this browser";
    } else {
      const button = document.createElement("button");
      button.className = "revoke-device";
      button.textContent = "sign out this device";
      button.addEventListener("click", run(async () => {
        await api("POST", "/api/sessions/revoke", { handle: s.handle });
        log("Signed out another device");
        await listSessions();
      }));
      action.append(button);
    }
    tr.append(action);
    return tr;
  }));
}

function run(action) {
  return async (event) => {
    event.preventDefault();
    try {
      await action();
    } catch (err) {
      if (!(err instanceof SessionEnded)) {
        log("failed: " + err.message);
      }
    }
  };
}

$("signin-form").addEventListener("submit", run(async () => {
  await api("POST", "/api/signin", { userName: $("user-name").value });
  await showSignedIn();
}));
$("call-api").addEventListener("click", run(async () => {
  $("api-result").textContent = JSON.stringify(await api("GET", "/api/me"), null, 2);
}));
/** The claim-gated call; a 403 leaves the SDK's API_INVALID_CLAIM event to explain. */
async function callMembers() {
  $("members-result").textContent = "";
  $("members-result").textContent = JSON.stringify(await api("GET", "/api/members"), null, 2);
  $("claim-problem").hidden = true;
}
$("call-members").addEventListener("click", run(callMembers));
$("verify-email").addEventListener("click", run(async () => {
  await api("POST", "/api/verify-email");
  // The server re-fetches st-ev on this call, finds it true and sends a new access token.
  await callMembers();
}));
$("save-data").addEventListener("click", run(async () => {
  let data;
  try {
    data = JSON.parse($("session-data").value);
  } catch (err) {
    $("data-status").textContent = "not JSON: " + err.message;
    return;
  }
  await api("PUT", "/api/session-data", data);
  $("data-status").textContent = "saved at " + new Date().toLocaleTimeString();
}));
$("save-claims").addEventListener("click", run(async () => {
  let claims;
  try {
    claims = JSON.parse($("claims").value);
  } catch (err) {
    $("claims-status").textContent = "not JSON: " + err.message;
    return;
  }
  try {
    // The answer carries the new access token; the SDK then fires ACCESS_TOKEN_PAYLOAD_UPDATED.
    await api("PUT", "/api/jwt-payload", claims);
  } catch (err) {
    if (err instanceof SessionEnded) {
      throw err;
    }
    $("claims-status").textContent = err.message;
    return;
  }
  $("claims-status").textContent = "saved at " + new Date().toLocaleTimeString();
}));
$("list-sessions").addEventListener("click", run(listSessions));
$("signout").addEventListener("click", run(async () => {
  await supertokens.signOut();
  showSignedOut();
}));
$("signout-everywhere").addEventListener("click", run(async () => {
  await api("POST", "/api/signout-everywhere");
  showSignedOut();
}));

$("mode").textContent = mode === "header" ? "headers (Authorization: Bearer)" : "HttpOnly cookies";
$("switch-mode").href = mode === "header" ? "?" : "?auth=header";
setInterval(() => {
  const left = Math.round((accessTokenExpiry - Date.now()) / 1000);
  $("expires-in").textContent = left > 0 ? "expires in " + left + " s"
    : "has expired: the next API call refreshes it first";
}, 1000);

run(async () => {
  if (await supertokens.doesSessionExist()) {
    await showSignedIn();
  } else {
    showSignedOut();
  }
})(new Event("load"));
