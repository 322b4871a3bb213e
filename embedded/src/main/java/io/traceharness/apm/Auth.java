package io.traceharness.apm;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * APM Server's agent authentication: {@code Authorization: Bearer <secret_token>} or
 * {@code Authorization: ApiKey <base64(id:key)>}; with neither configured everything is allowed.
 */
final class Auth {

  static final String EXPECTED = "expected 'Authorization: Bearer secret_token' or "
      + "'Authorization: ApiKey base64(API key ID:API key)'";

  private final String secretToken;
  private final Set<String> apiKeys;

  /** @param apiKeys accepted keys as {@code id:key} */
  Auth(String secretToken, Set<String> apiKeys) {
    this.secretToken = secretToken;
    this.apiKeys = Set.copyOf(apiKeys);
  }

  boolean enabled() {
    return secretToken != null || !apiKeys.isEmpty();
  }

  /** Null when the header is accepted, else APM Server's message for the 401. */
  String check(String authorization) {
    if (!enabled()) {
      return null;
    }
    if (authorization == null || authorization.isBlank()) {
      return "authentication failed: missing or improperly formatted Authorization header: " + EXPECTED;
    }
    // as APM Server parses it (internal/beater/auth/header.go): the scheme is what precedes the first
    // space and is compared as written, so "bearer <token>" or "Bearer  <token>" are refused there too
    String value = authorization.trim();
    int space = value.indexOf(' ');
    if (space <= 0) {
      return "authentication failed: missing or improperly formatted Authorization header: " + EXPECTED;
    }
    String scheme = value.substring(0, space);
    String credentials = value.substring(space + 1);
    if (scheme.equals("Bearer")) {
      return secretToken != null && secretToken.equals(credentials) ? null : "authentication failed";
    }
    if (scheme.equals("ApiKey")) {
      if (apiKeys.isEmpty()) {
        return "authentication failed";
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "authentication failed: improperly encoded ApiKey credentials: expected base64(ID:APIKey): "
            + e.getMessage();
      }
      if (!decoded.contains(":")) {
        return "authentication failed: improperly formatted ApiKey credentials: expected base64(ID:APIKey)";
      }
      return apiKeys.contains(decoded) ? null : "authentication failed";
    }
    return "authentication failed: unknown Authentication header " + scheme + ": " + EXPECTED;
  }
}
