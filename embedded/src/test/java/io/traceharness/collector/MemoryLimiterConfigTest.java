package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code memory_limiter} validated as opentelemetry-collector {@code internal/memorylimiter/config.go}
 * {@code Validate()} does, in its order and with its messages; not enforced (the startup warning says so
 * and why).
 */
class MemoryLimiterConfigTest {

  private static CollectorConfig parse(String settings) {
    return CollectorConfig.parse("""
        receivers:
          otlp:
            protocols:
              grpc:
        processors:
          memory_limiter:
        %s
        exporters:
          debug:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [memory_limiter]
              exporters: [debug]
        """.formatted(settings.indent(4).stripTrailing()), Map.of());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "limit_mib: 100                                      | 'check_interval' must be greater than zero",
      "'check_interval: 1s'                                | 'limit_mib' or 'limit_percentage' must be greater than zero",
      "'check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 100' | 'spike_limit_mib' must be smaller than 'limit_mib'",
      "'check_interval: 1s\nlimit_percentage: 101'         | 'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred",
      "'check_interval: 1s\nlimit_percentage: 50\nspike_limit_percentage: 50' | 'spike_limit_percentage' must be smaller than 'limit_percentage'",
      "'check_interval: 1s\nlimit_mib: 100\nmin_gc_interval_when_soft_limited: 1s\nmin_gc_interval_when_hard_limited: 2s' | 'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'",
      "'check_interval: 1s\nlimit_mib: 100\nmax_gc_interval_when_soft_limited: -1s' | 'max_gc_interval_when_soft_limited' must be non-negative",
      "'check_interval: 1s\nlimit_mib: 100\nmax_gc_interval_when_hard_limited: -1s' | 'max_gc_interval_when_hard_limited' must be non-negative",
      // the defaults are 10s (min soft) and 30s (max soft, max hard): a min soft above 30s alone is refused
      "'check_interval: 1s\nlimit_mib: 100\nmin_gc_interval_when_soft_limited: 60s' | 'max_gc_interval_when_soft_limited' must be greater than or equal to 'min_gc_interval_when_soft_limited' (or 0 to disable)",
      "'check_interval: 1s\nlimit_mib: 100\nmin_gc_interval_when_hard_limited: 5s\nmax_gc_interval_when_hard_limited: 2s' | 'max_gc_interval_when_hard_limited' must be greater than or equal to 'min_gc_interval_when_hard_limited' (or 0 to disable)",
      "'check_interval: 1s\nlimit_mib: 100\nmax_gc_interval_when_soft_limited: 20s' | 'max_gc_interval_when_soft_limited' should be larger than or equal to 'max_gc_interval_when_hard_limited' (when both are set)",
  })
  void invalidSettingsFailWithTheRealMessages(String settings, String message) {
    assertThatThrownBy(() -> parse(settings.replace("\\n", "\n")))
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("processors::memory_limiter: " + message);
  }

  @Test
  void theSpikeLimitDefaultsToAFifthOfTheLimitAndTheWarningSaysItIsNotEnforced() {
    CollectorConfig config = parse("check_interval: 1s\nlimit_mib: 100");
    // internal/memorylimiter/memorylimiter.go newFixedMemUsageChecker: "If spike limit is unspecified use 20% of mem limit"
    assertThat(config.processors().get("memory_limiter"))
        .isEqualTo(new CollectorConfig.MemoryLimiterSpec("memory_limiter", Duration.ofSeconds(1), 100, 20, 0, 0));
    assertThat(config.warnings()).singleElement().asString()
        .startsWith("processor \"memory_limiter\" is accepted but not enforced")
        .contains("\"data refused due to high memory usage\"");
  }
}
