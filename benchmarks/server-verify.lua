-- wrk script for the standalone server's HTTP comparison (run by benchmarks/run.sh): sends the
-- request a SuperTokens backend SDK sends to verify a session, on every connection, unchanged.
--
--   wrk -t1 -c32 -d15s -s benchmarks/server-verify.lua URL -- BODY_FILE [METHOD]
--
-- BODY_FILE holds the JSON body (written by dev.hallpass.benchmarks.StandaloneServerSetup:
-- {"accessToken": "...", "doAntiCsrfCheck": false, "enableAntiCsrf": false,
-- "checkDatabase": false}). METHOD defaults to POST; the control run sends the same body and
-- headers with GET to /hello, which ignores them.
-- No response() callback: wrk would then hand every answer to Lua, which costs the client more
-- than the server's work. run.sh checks an answer's status once before and after instead.

function init(args)
  local f = assert(io.open(args[1], "rb"), "cannot read the body file " .. tostring(args[1]))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = args[2] or "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["cdi-version"] = "5.4"
end
