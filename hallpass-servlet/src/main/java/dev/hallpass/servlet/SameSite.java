package dev.hallpass.servlet;

/** The {@code SameSite} attribute of the session cookies. */
public enum SameSite {
  /** Cookies go only with requests started by the same site. */
  STRICT("Strict"),
  /** Cookies also go with top-level cross-site navigations (links), not with sub-requests. */
  LAX("Lax"),
  /**
   * Cookies go with every request, also cross-site: needed when the website and the API are on
   * different sites. Requires Secure cookies.
   */
  NONE("None");

  private final String attribute;

  SameSite(String attribute) {
    this.attribute = attribute;
  }

  /** The attribute's value as written in {@code Set-Cookie}. */
  public String attribute() {
    return attribute;
  }
}
