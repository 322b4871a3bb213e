package io.traceharness.lambda;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An error the Lambda service answers with its own status and {@code x-amzn-ErrorType}. */
final class ServiceException extends RuntimeException {

  private final int status;
  private final String type;
  private final String reason;

  ServiceException(int status, String type, String message) {
    this(status, type, message, null);
  }

  ServiceException(int status, String type, String message, String reason) {
    super(message);
    this.status = status;
    this.type = type;
    this.reason = reason;
  }

  static ServiceException notFound(String message) {
    return new ServiceException(404, "ResourceNotFoundException", message);
  }

  static ServiceException conflict(String message) {
    return new ServiceException(409, "ResourceConflictException", message);
  }

  static ServiceException invalid(String message) {
    return new ServiceException(400, "InvalidParameterValueException", message);
  }

  /**
   * A member outside its modelled constraint, refused before the operation runs: ValidationException
   * with the "1 validation error detected: Value '…' at '…' failed to satisfy constraint" message
   * (as quoted in alexcasalboni/aws-lambda-power-tuning#224 and CloudFormation's MemorySize errors).
   */
  static ServiceException validation(String value, String member, String constraint) {
    return new ServiceException(400, "ValidationException", "1 validation error detected: Value '" + value + "' at '"
        + member + "' failed to satisfy constraint: " + constraint);
  }

  /**
   * A member of the wrong JSON type, refused by the REST-JSON deserializer before validation:
   * SerializationException, whose body carries {@code Message} (capital M), e.g.
   * {@code {"Message":"STRING_VALUE can not be converted to an Integer"}} for UpdateFunctionConfiguration
   * (aarondfrancis/sidecar#28, a PUT …/configuration answered 400).
   */
  static ServiceException serialization(String message) {
    return new ServiceException(400, "SerializationException", message);
  }

  static ServiceException tooLarge(String message) {
    return new ServiceException(413, "RequestEntityTooLargeException", message);
  }

  static ServiceException throttled(String reason) {
    return new ServiceException(429, "TooManyRequestsException", "Rate Exceeded.", reason);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }

  /** The body AWS sends: {@code {"Type":"User","message":...}} (plus {@code Reason} for throttling). */
  ObjectNode body() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if ("SerializationException".equals(type)) {
      n.put("Message", getMessage());
      return n;
    }
    if (reason != null) {
      n.put("Reason", reason);
    }
    n.put("Type", status >= 500 ? "Service" : "User");
    n.put("message", getMessage());
    return n;
  }
}
