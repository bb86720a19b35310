import json, sys, collections
events = json.load(open(sys.argv[1]))["recording"]["events"]
keys = ["dev/hallpass/server/Call.readBody", "dev/hallpass/server/Json.parseObject",
        "dev/hallpass/server/Reply.json", "dev/hallpass/internal/Engine.getSession",
        "dev/hallpass/server/CoreDriverApi.verifySession", "dev/hallpass/server/CoreDriverApi.removeSessions",
        "dev/hallpass/server/Metrics.recordRequest", "dev/hallpass/server/ApiHandler.handle",
        "org/eclipse/jetty/http/HttpParser", "org/eclipse/jetty/server/internal/HttpConnection.onFillable",
        "org/eclipse/jetty/io/ManagedSelector", "org/eclipse/jetty/server/internal/HttpConnection$SendCallback"]
inc = collections.Counter(); n = 0
for e in events:
    frames = {f["method"]["type"]["name"] + "." + f["method"]["name"] for f in e["values"]["stackTrace"]["frames"]}
    n += 1
    for k in keys:
        if any(fr.startswith(k) for fr in frames): inc[k] += 1
print("samples", n)
for k in keys: print(f"{100*inc[k]/n:5.1f}%  {k}")
