package dev.hallpass;

/**
 * What the client of a request looks like: its IP address and User-Agent, recorded with a session
 * at creation and at each refresh when the engine is built with {@code recordClientMetadata(true)}
 * (off by default: both are personal data). Both are optional; values are bounded, never refused:
 * an IP address longer than 45 characters or containing characters other than hex digits, {@code .
 * : [ ] %} and letters of a zone id is dropped (null), a User-Agent is cut to 512 characters and
 * control characters are removed, so a strange header never fails a login.
 *
 * @param ip the client's IP address as text, or null when unknown
 * @param userAgent the client's User-Agent header, or null when unknown
 */
public record ClientInfo(String ip, String userAgent) {

  /** No metadata: what the calls without a {@code ClientInfo} record. */
  public static final ClientInfo UNKNOWN = new ClientInfo(null, null);

  /** The longest IP address kept. */
  public static final int MAX_IP_LENGTH = 45;

  /** The longest User-Agent kept; longer ones are cut. */
  public static final int MAX_USER_AGENT_LENGTH = 512;

  /** Bounds the values (see the type's description). */
  public ClientInfo {
    ip = cleanIp(ip);
    userAgent = cleanUserAgent(userAgent);
  }

  private static String cleanIp(String ip) {
    if (ip == null) {
      return null;
    }
    String t = ip.strip();
    if (t.isEmpty() || t.length() > MAX_IP_LENGTH) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '.'
              || c == ':'
              || c == '['
              || c == ']'
              || c == '%'
              || c == '_'
              || c == '-';
      if (!ok) {
        return null;
      }
    }
    return t;
  }

  private static String cleanUserAgent(String ua) {
    if (ua == null) {
      return null;
    }
    StringBuilder b = new StringBuilder(Math.min(ua.length(), MAX_USER_AGENT_LENGTH));
    for (int i = 0; i < ua.length() && b.length() < MAX_USER_AGENT_LENGTH; i++) {
      char c = ua.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        continue; // no control characters in logs or pages; no half surrogate pair at the cut
      }
      b.append(c);
    }
    String t = b.toString().strip();
    return t.isEmpty() ? null : t;
  }

  @Override
  public String toString() {
    return "ClientInfo{<personal data redacted>}";
  }
}
