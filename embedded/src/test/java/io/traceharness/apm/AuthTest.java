package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Authorization header as APM Server parses it: elastic/apm-server internal/beater/auth/header.go. */
class AuthTest {

  private final Auth auth = new Auth("s3cr3t", Map.of());

  @Test
  void theSchemeIsComparedAsWritten() {
    assertThat(auth.check("Bearer s3cr3t")).isNull();
    assertThat(auth.check("bearer s3cr3t")).isEqualTo("authentication failed: unknown Authentication header bearer: "
        + Auth.EXPECTED);
    assertThat(auth.check("APIKEY czNjcjN0")).startsWith("authentication failed: unknown Authentication header APIKEY");
  }

  @Test
  void theCredentialIsEverythingAfterTheFirstSpace() {
    assertThat(auth.check("Bearer  s3cr3t")).isEqualTo("authentication failed");
    assertThat(auth.check("Bearer\ts3cr3t")).startsWith("authentication failed: missing or improperly formatted");
    assertThat(auth.check("Bearer")).startsWith("authentication failed: missing or improperly formatted");
  }
}
