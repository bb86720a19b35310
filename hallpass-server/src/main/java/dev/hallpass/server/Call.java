package dev.hallpass.server;

import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * One API request as the endpoints see it: its tenant (from the path; {@code public} without one),
 * the core driver interface version it asked for, the query parameters and the JSON body (read on
 * first use, at most {@link #MAX_BODY_BYTES}).
 */
final class Call {
  /** Larger bodies are refused with 400 before they are parsed. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  /** How much of an oversized body is read and dropped before answering 400. */
  private static final long MAX_DRAINED_BYTES = 4L * MAX_BODY_BYTES;

  private final Request request;
  private final String tenantId;
  private final String cdiVersion;
  private Fields query;
  private Json json;

  Call(Request request, String tenantId, String cdiVersion) {
    this.request = request;
    this.tenantId = tenantId;
    this.cdiVersion = cdiVersion;
  }

  /** The tenant of the request's path, {@code public} without one; accepted by the handler. */
  String tenantId() {
    return tenantId;
  }

  /** The supported core driver interface version the request asked for (the latest if none). */
  String cdiVersion() {
    return cdiVersion;
  }

  /** The body as a JSON object. */
  Json json() {
    if (json == null) {
      json = Json.parseObject(readBody());
    }
    return json;
  }

  private byte[] readBody() {
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (declared > MAX_DRAINED_BYTES) {
      throw tooLarge();
    }
    try (InputStream in = Request.asInputStream(request)) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        // Read (and drop) a moderately oversized rest, so that the client, still sending, gets
        // to read the 400 instead of a reset connection; beyond that, the connection is closed.
        long skipped = 0;
        while (skipped < MAX_DRAINED_BYTES && in.read() >= 0) {
          skipped += 1 + in.skip(MAX_DRAINED_BYTES - skipped);
        }
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new BadRequest("Could not read the request body");
    }
  }

  private static BadRequest tooLarge() {
    return new BadRequest("Request body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  /** A query parameter that must be present and non-empty. */
  String requiredQuery(String name) {
    String v = optionalQuery(name);
    if (v == null || v.isEmpty()) {
      throw new BadRequest("Field name '" + name + "' is missing in GET request");
    }
    return v;
  }

  String optionalQuery(String name) {
    if (query == null) {
      try {
        query = Request.extractQueryParameters(request);
      } catch (RuntimeException e) {
        throw new BadRequest("The query string is malformed");
      }
    }
    return query.getValue(name);
  }

  /** An optional {@code true}/{@code false} query parameter. */
  boolean optionalBooleanQuery(String name, boolean absent) {
    String v = optionalQuery(name);
    if (v == null) {
      return absent;
    }
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new BadRequest("Field name '" + name + "' must be true or false in GET request");
  }
}
