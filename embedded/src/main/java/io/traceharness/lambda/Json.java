package io.traceharness.lambda;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The service's JSON mapper. */
final class Json {

  // ZipFile in CreateFunction/PublishLayerVersion is base64 of up to 50 MB: beyond Jackson's default 20 M chars
  static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(FunctionRegistry.MAX_ZIP_BYTES / 3 * 4 + 1024).build())
      .build());

  private Json() {
  }
}
