package com.example.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /orders} behind API Gateway (proxy integration): takes {@code {"item": "…", "quantity": N}}
 * and answers 201 with the accepted order, or 400 saying what is wrong with the body.
 */
public final class CreateOrderHandler
    implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The body a caller sends. */
  record OrderRequest(String item, int quantity) {
  }

  @Override
  public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
    OrderRequest order;
    try {
      order = JSON.readValue(event.getBody() == null ? "" : event.getBody(), OrderRequest.class);
    } catch (JsonProcessingException e) {
      return answer(400, Map.of("error", "the body must be an order like {\"item\": \"book\", \"quantity\": 1}: "
          + e.getOriginalMessage()));
    }
    if (order == null || order.item() == null || order.item().isBlank() || order.quantity() < 1) {
      return answer(400, Map.of("error", "an order needs an item and a quantity of at least 1"));
    }
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("orderId", context.getAwsRequestId());
    accepted.put("item", order.item());
    accepted.put("quantity", order.quantity());
    accepted.put("status", "ACCEPTED");
    return answer(201, accepted);
  }

  private static APIGatewayProxyResponseEvent answer(int status, Map<String, ?> body) {
    try {
      return new APIGatewayProxyResponseEvent()
          .withStatusCode(status)
          .withHeaders(Map.of("Content-Type", "application/json"))
          .withBody(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body + " as JSON", e);
    }
  }
}
