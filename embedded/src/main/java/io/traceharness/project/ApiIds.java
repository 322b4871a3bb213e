package io.traceharness.project;

/**
 * The API ids a descriptor's references to its APIs resolve to ({@code #{ApiGatewayRestApi}},
 * {@code !Ref ServerlessRestApi}, …). Any {@code https://ID.execute-api.REGION.amazonaws.com/…} URL in a
 * function's environment is pointed at the local API Gateway when the function starts, whatever
 * the id, so these only need to look like API Gateway's ten lowercase characters.
 */
final class ApiIds {

  static final String REST = "restapi001";
  static final String HTTP = "httpapi001";

  private ApiIds() {
  }
}
