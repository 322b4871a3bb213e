package io.traceharness.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;

/**
 * The little JSON the functions write. Hand-written on purpose: the zip carries only what Lambda
 * needs ({@code aws-lambda-java-core}, {@code -events}), like the Node functions carry no package.
 */
final class Json {

  private Json() {
  }

  /** {@code {"message":"<text>"}}, as {@code JSON.stringify({message})} writes it. */
  static String message(String text) {
    return "{\"message\":" + quote(text) + "}";
  }

  static String describe(APIGatewayProxyRequestEvent event) {
    if (event == null) {
      return "null";
    }
    return "{\"httpMethod\":" + quote(event.getHttpMethod()) + ",\"path\":" + quote(event.getPath())
        + ",\"resource\":" + quote(event.getResource()) + ",\"body\":" + quote(event.getBody()) + "}";
  }

  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
