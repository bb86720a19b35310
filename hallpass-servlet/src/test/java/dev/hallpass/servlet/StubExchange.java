package dev.hallpass.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request and response without a server: just what the filter and web layer call, so that a
 * fuzzer can run thousands of requests a second. Header names are case-insensitive, as in a
 * container.
 */
final class StubExchange {
  final String method;
  final String uri;
  private final Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
  final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
  final StringWriter body = new StringWriter();
  int status = 200;
  boolean committed;

  StubExchange(String method, String uri) {
    this.method = method;
    this.uri = uri;
  }

  StubExchange header(String name, String value) {
    requestHeaders
        .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
        .add(value);
    return this;
  }

  String responseHeader(String name) {
    List<String> v = responseHeaders.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  HttpServletRequest request() {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getMethod" -> method;
                  case "getRequestURI" -> uri;
                  case "getContextPath", "getServletPath" -> "";
                  case "getPathInfo" -> uri;
                  case "getHeader" -> {
                    List<String> v =
                        requestHeaders.get(((String) args[0]).toLowerCase(Locale.ROOT));
                    yield v == null || v.isEmpty() ? null : v.get(0);
                  }
                  case "getHeaders" ->
                      Collections.enumeration(
                          requestHeaders.getOrDefault(
                              ((String) args[0]).toLowerCase(Locale.ROOT), List.of()));
                  case "getHeaderNames" -> Collections.enumeration(requestHeaders.keySet());
                  case "getAttribute", "getQueryString", "getRemoteUser" -> null;
                  case "isSecure" -> false;
                  case "getContentLengthLong" -> 0L; // no body
                  case "getContentLength" -> 0;
                  case "getRemoteAddr" -> "203.0.113.9";
                  case "getScheme" -> "http";
                  case "toString" -> method + " " + uri;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException("request." + m.getName());
                });
  }

  HttpServletResponse response() {
    PrintWriter writer = new PrintWriter(body);
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (proxy, m, args) -> {
              switch (m.getName()) {
                case "setStatus" -> status = (Integer) args[0];
                case "sendError" -> {
                  status = (Integer) args[0];
                  committed = true;
                }
                case "setHeader" -> {
                  List<String> v = new ArrayList<>();
                  if (args[1] != null) {
                    v.add((String) args[1]);
                  }
                  responseHeaders.put(((String) args[0]).toLowerCase(Locale.ROOT), v);
                }
                case "addHeader" ->
                    responseHeaders
                        .computeIfAbsent(
                            ((String) args[0]).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add((String) args[1]);
                case "getHeader" -> {
                  return responseHeader((String) args[0]);
                }
                case "getHeaders" -> {
                  return new ArrayList<>(
                      responseHeaders.getOrDefault(
                          ((String) args[0]).toLowerCase(Locale.ROOT), List.of()));
                }
                case "containsHeader" -> {
                  return responseHeaders.containsKey(((String) args[0]).toLowerCase(Locale.ROOT));
                }
                case "getStatus" -> {
                  return status;
                }
                case "isCommitted" -> {
                  return committed;
                }
                case "getWriter" -> {
                  return writer;
                }
                case "resetBuffer", "reset" -> body.getBuffer().setLength(0);
                case "setContentType", "setCharacterEncoding", "flushBuffer" -> {}
                case "hashCode" -> {
                  return System.identityHashCode(proxy);
                }
                case "equals" -> {
                  return proxy == args[0];
                }
                case "toString" -> {
                  return "response " + status;
                }
                default -> throw new UnsupportedOperationException("response." + m.getName());
              }
              return null;
            });
  }
}
