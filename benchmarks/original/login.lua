-- wrk script of the comparison with the original library (both stacks): POST /login, no
-- session. Each request creates a session (one INSERT, one access-token signature).
--   wrk -t1 -c32 -d10s -s login.lua http://127.0.0.1:PORT/login
wrk.method = "POST"
