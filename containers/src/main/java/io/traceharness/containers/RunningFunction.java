package io.traceharness.containers;

import java.net.URI;
import java.util.List;

/**
 * A deployed function.
 *
 * @param name        function name
 * @param arn         its ARN
 * @param urls         per route, where the test host calls it: the REST API in LocalStack, else
 *                     the harness's API Gateway
 * @param internalUrls per route, the same seen from containers, for one function calling another
 */
record RunningFunction(String name, String arn, List<URI> urls, List<URI> internalUrls) {

  public RunningFunction {
    urls = List.copyOf(urls);
    internalUrls = List.copyOf(internalUrls);
  }

  /** The URL of its (first) route. */
  public URI url() {
    if (urls.isEmpty()) {
      throw new IllegalStateException("function " + name + " has no API Gateway route");
    }
    return urls.get(0);
  }

  /** The URL of its (first) route as other containers reach it. */
  public URI internalUrl() {
    if (internalUrls.isEmpty()) {
      throw new IllegalStateException("function " + name + " has no API Gateway route");
    }
    return internalUrls.get(0);
  }
}
