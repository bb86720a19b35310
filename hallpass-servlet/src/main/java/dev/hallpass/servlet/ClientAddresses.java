package dev.hallpass.servlet;

import dev.hallpass.ClientInfo;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client of a request: the connection's address, or, only when the connection comes from a
 * trusted proxy, the nearest address in {@code X-Forwarded-For} that is not a trusted proxy
 * (walking from the right, the end each proxy appends to). Entries left of that one were written by
 * the client itself and are never believed. The User-Agent header as sent.
 */
final class ClientAddresses {
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final Set<String> trustedProxies; // normalized

  ClientAddresses(Set<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /** An IP address literal in the form {@link InetAddress#getHostAddress()} gives; else null. */
  static String normalize(String address) {
    if (address == null) {
      return null;
    }
    String a = address.strip();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    if (a.isEmpty() || a.length() > 45 || !IP_LITERAL.matcher(a).matches()) {
      return null; // never a host name: getByName would look it up
    }
    try {
      return InetAddress.getByName(a).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  ClientInfo of(HttpServletRequest req) {
    return new ClientInfo(ip(req), req.getHeader("User-Agent"));
  }

  private String ip(HttpServletRequest req) {
    String remote = normalize(req.getRemoteAddr());
    if (remote == null || !trustedProxies.contains(remote)) {
      return remote;
    }
    List<String> hops = new ArrayList<>();
    Enumeration<String> headers = req.getHeaders("X-Forwarded-For");
    for (String h : headers == null ? List.<String>of() : Collections.list(headers)) {
      for (String part : h.split(",")) {
        hops.add(part);
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = normalize(hops.get(i));
      if (hop == null) {
        return null; // a malformed hop: what lies beyond it is unknown
      }
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return remote; // every hop was a trusted proxy, or none was given
  }
}
