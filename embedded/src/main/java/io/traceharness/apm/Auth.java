package io.traceharness.apm;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * APM Server's agent authentication (apm-server {@code internal/beater/auth}): {@code Authorization:
 * Bearer <secret_token>} or {@code Authorization: ApiKey <base64(id:key)>}; with neither configured
 * everything is allowed. The scheme is the text before the first space and is compared exactly
 * (header.go ParseAuthorizationHeader, authenticator.go: "bearer" is an unknown scheme). An API key
 * is authorized per action: without the privilege the request is authenticated but answered 403.
 */
final class Auth {

  static final String EXPECTED = "expected 'Authorization: Bearer secret_token' or "
      + "'Authorization: ApiKey base64(API key ID:API key)'";
  /** The privileges APM Server checks (auth/apikey.go). */
  static final String EVENT_WRITE = "event:write";
  static final String AGENT_CONFIG_READ = "config_agent:read";
  static final String SOURCEMAP_WRITE = "sourcemap:write";
  static final Set<String> ALL_PRIVILEGES = Set.of(EVENT_WRITE, AGENT_CONFIG_READ, SOURCEMAP_WRITE);

  /** Who was let in: null privileges means everything is allowed (no auth, or the secret token). */
  record Granted(Set<String> privileges) {
    static final Granted ALL = new Granted(null);

    /** Null when allowed, else the error APM Server's authorizer returns (wrapping ErrUnauthorized). */
    String authorize(String privilege) {
      return privileges == null || privileges.contains(privilege) ? null
          : "unauthorized: API Key not permitted action \"" + privilege + "\"";
    }
  }

  private final String secretToken;
  private final Map<String, Set<String>> apiKeys;

  /** @param apiKeys accepted keys as {@code id:key}, each with its privileges */
  Auth(String secretToken, Map<String, Set<String>> apiKeys) {
    this.secretToken = secretToken;
    this.apiKeys = Map.copyOf(apiKeys);
  }

  boolean enabled() {
    return secretToken != null || !apiKeys.isEmpty();
  }

  /** Null when the header is accepted, else APM Server's message for the 401. */
  String check(String authorization) {
    return authenticate(authorization) instanceof String error ? error : null;
  }

  /** A {@link Granted} when the header is accepted, else the 401 message (a String). */
  Object authenticate(String authorization) {
    if (!enabled()) {
      return Granted.ALL;
    }
    String value = authorization == null ? "" : authorization;
    int space = value.indexOf(' ');
    if (space <= 0) {
      return "authentication failed: missing or improperly formatted Authorization header: " + EXPECTED;
    }
    String scheme = value.substring(0, space);
    String credentials = value.substring(space + 1);
    switch (scheme) {
      case "Bearer" -> {
        return secretToken != null && secretToken.equals(credentials) ? Granted.ALL : "authentication failed";
      }
      case "ApiKey" -> {
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
        Set<String> privileges = apiKeys.get(decoded);
        return privileges != null ? new Granted(privileges) : "authentication failed";
      }
      default -> {
        return "authentication failed: unknown Authentication header " + scheme + ": " + EXPECTED;
      }
    }
  }
}
