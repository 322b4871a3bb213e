package io.traceharness.apm;

import com.google.protobuf.ByteString;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids as APM Server writes them: OTLP trace and span ids as lower-case hex (elastic/apm-data
 * input/otlp/traces.go {@code hexTraceID}, {@code hexSpanID}) and random error ids
 * (exceptions.go {@code newUniqueID}).
 */
final class OtlpIds {

  private static final HexFormat HEX = HexFormat.of();

  private OtlpIds() {
  }

  static String hex(ByteString bytes) {
    return bytes.isEmpty() ? "" : HEX.formatHex(bytes.toByteArray());
  }

  static String random(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HEX.formatHex(b);
  }
}
