// HTTP side of the comparison: the original library's express integration in the same tiny app
// as Hallpass's (hallpass-benchmarks HallpassHttpApp), driven by wrk:
//   POST /login      createNewSession (sets sAccessToken, sRefreshToken, sIdRefreshToken cookies
//                    and the anti-csrf header); answers "ok"
//   GET  /protected  getSession(req, res, true) from the cookies and the anti-csrf header
//   POST /refresh    refreshSession(req, res) from the sRefreshToken and sIdRefreshToken cookies;
//                    the body repeats the new sRefreshToken cookie value and anti-csrf header,
//                    because wrk's Lua sees only one of several Set-Cookie headers and must
//                    present each session's newest refresh token next time
//
// Usage: node http-app.js PORT [WORKERS]   WORKERS > 1: the cluster module forks that many
// express processes sharing the port (the primary initialises the library first so that the
// workers find its tables and signing key). Prints "listening on PORT" once every worker listens.
"use strict";

const cluster = require("cluster");
const express = require("express");
const st = require("supertokens-node-mysql-ref-jwt/express");
const { USER_ID, JWT_PAYLOAD, SESSION_DATA, libraryConfig } = require("./common");

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] || "1");

function fail(res, err) {
  if (st.Error.isErrorFromAuth(err) && err.errType !== st.Error.GENERAL_ERROR) {
    const message = err.errType === st.Error.TRY_REFRESH_TOKEN ? "try refresh token" : "unauthorised";
    res.status(401).json({ message });
  } else {
    res.status(500).json({ message: "internal error" });
  }
}

function cookieValue(res, name) {
  const all = [].concat(res.getHeader("Set-Cookie") || []);
  for (const c of all) {
    if (c.startsWith(name + "=")) return c.substring(name.length + 1, c.indexOf(";"));
  }
  return "";
}

async function serve(announce) {
  await st.init(libraryConfig());
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.post("/login", async (req, res) => {
    try {
      await st.createNewSession(res, USER_ID, JWT_PAYLOAD, SESSION_DATA);
      res.type("text/plain").send("ok");
    } catch (e) {
      fail(res, e);
    }
  });
  app.get("/protected", async (req, res) => {
    try {
      const session = await st.getSession(req, res, true);
      res.type("text/plain").send("hello, " + session.getUserId());
    } catch (e) {
      fail(res, e);
    }
  });
  app.post("/refresh", async (req, res) => {
    try {
      await st.refreshSession(req, res);
      res.type("text/plain").send(cookieValue(res, "sRefreshToken") + " " + res.getHeader("anti-csrf"));
    } catch (e) {
      fail(res, e);
    }
  });
  app.listen(port, "127.0.0.1", announce);
}

function die(e) {
  console.error("http-app failed: " + (e && (e.errType || e.name)) + ": " + (e && e.err ? e.err.message : e && e.message));
  process.exit(1);
}

if (workers > 1 && cluster.isPrimary) {
  st.init(libraryConfig())
    .then(() => {
      let listening = 0;
      for (let i = 0; i < workers; i++) {
        cluster.fork().on("message", (m) => {
          if (m === "listening" && ++listening === workers) console.log("listening on " + port);
        });
      }
      cluster.on("exit", (w, code) => {
        console.error("worker " + w.process.pid + " exited with " + code);
        process.exit(1);
      });
    })
    .catch(die);
} else if (workers > 1) {
  serve(() => process.send("listening")).catch(die);
} else {
  serve(() => console.log("listening on " + port)).catch(die);
}
