package io.traceharness.lambda;

import static io.traceharness.lambda.ApiResponses.done;
import static io.traceharness.lambda.ApiResponses.error;
import static io.traceharness.lambda.ApiResponses.noContent;
import static io.traceharness.lambda.ApiResponses.requestId;
import static io.traceharness.lambda.RequestMembers.body;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda's REST API (API version 2015-03-31 and the layer/concurrency paths), as the AWS SDK calls it:
 * JSON bodies with Lambda's member names, errors as {@code x-amzn-ErrorType} plus
 * {@code {"Type","message"}} ({@link ApiResponses}). This class is the route table and the function
 * path's qualifier check; the operations are {@link FunctionOperations}, {@link LayerOperations} and
 * {@link InvokeOperation}, which change functions through the {@link FunctionRegistry} and invoke
 * through the {@link Invoker}, the same parts the Java facade uses.
 */
final class ControlPlane {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  /** One operation: the request's body is aggregated, and the handler runs off the event loop. */
  @FunctionalInterface
  private interface Operation {
    CompletableFuture<HttpResponse> serve(ServiceRequestContext ctx, AggregatedHttpRequest req);
  }

  private final FunctionRegistry registry;
  private final FunctionOperations functionOps;
  private final LayerOperations layers;
  private final InvokeOperation invocations;

  ControlPlane(FunctionRegistry registry, Invoker invoker, Supplier<URI> endpoint) {
    this.registry = registry;
    this.functionOps = new FunctionOperations(registry, endpoint);
    this.layers = new LayerOperations(registry, endpoint);
    this.invocations = new InvokeOperation(invoker);
  }

  /**
   * The route table. {@code {api}} is the API version in the path: the SDK uses several
   * ({@code 2015-03-31} for functions, {@code 2017-10-31} and {@code 2019-09-30} for concurrency,
   * {@code 2018-10-31} for layers), and this emulator accepts any.
   */
  void addTo(ServerBuilder sb) {
    String functions = "/{api}/functions";
    String function = functions + "/{name}";
    route(sb, HttpMethod.POST, functions, (ctx, req) -> done(201, functionOps.createFunction(body(req))));
    route(sb, HttpMethod.GET, functions, (ctx, req) -> done(200, functionOps.listFunctions()));
    route(sb, HttpMethod.GET, function, (ctx, req) -> done(200, functionOps.getFunction(function(ctx))));
    route(sb, HttpMethod.DELETE, function, (ctx, req) -> {
      registry.delete(function(ctx));
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT).add("x-amzn-RequestId", requestId()));
    });
    route(sb, HttpMethod.GET, function + "/configuration", (ctx, req) -> done(200, functionOps.configuration(function(ctx).config())));
    route(sb, HttpMethod.PUT, function + "/configuration", (ctx, req) ->
        done(200, functionOps.updateConfiguration(function(ctx), body(req))));
    route(sb, HttpMethod.PUT, function + "/code", (ctx, req) -> done(200, functionOps.updateCode(function(ctx), body(req))));
    route(sb, HttpMethod.POST, function + "/invocations", (ctx, req) -> invocations.invoke(qualifiedName(ctx), req));
    route(sb, HttpMethod.PUT, function + "/concurrency", (ctx, req) -> done(200, functionOps.putConcurrency(function(ctx), body(req))));
    route(sb, HttpMethod.DELETE, function + "/concurrency", (ctx, req) -> {
      registry.setReservedConcurrency(function(ctx), null);
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT));
    });
    route(sb, HttpMethod.GET, function + "/concurrency", (ctx, req) -> done(200, functionOps.getConcurrency(function(ctx))));
    route(sb, HttpMethod.POST, "/{api}/layers/{layer}/versions", (ctx, req) ->
        done(201, layers.publishLayer(ctx.pathParam("layer"), body(req))));
    route(sb, HttpMethod.GET, "/{api}/layers/{layer}/versions/{version}", (ctx, req) ->
        done(200, layers.getLayerVersion(ctx)));
    route(sb, HttpMethod.DELETE, "/{api}/layers/{layer}/versions/{version}", (ctx, req) -> {
      layers.deleteLayerVersion(ctx);
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT).add("x-amzn-RequestId", requestId()));
    });
    route(sb, HttpMethod.GET, "/{api}/layers/{layer}/versions", (ctx, req) ->
        done(200, layers.listLayerVersions(LayerOperations.layerName(ctx), ctx.queryParams())));
    route(sb, HttpMethod.GET, "/{api}/layers", (ctx, req) -> {
      if ("LayerVersion".equals(ctx.queryParams().get("find"))) {
        return done(200, layers.layerByArn(ctx.queryParams().get("Arn", "")));
      }
      return done(200, layers.listLayers(ctx.queryParams()));
    });
    sb.serviceUnder("/", service(this::unknownOperation));
  }

  private void route(ServerBuilder sb, HttpMethod method, String path, Operation op) {
    sb.route().methods(method).path(path).build(service(op));
  }

  private CompletableFuture<HttpResponse> unknownOperation(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return CompletableFuture.completedFuture(error(new ServiceException(404, "UnknownOperationException",
        "Unknown operation " + req.method() + " " + ctx.path())));
  }

  /** Unzipping code and layers blocks: keep it off the event loops the Runtime APIs share. */
  private static HttpService service(Operation op) {
    return (ctx, req) -> HttpResponse.of(req.aggregate().thenComposeAsync(agg -> {
      try {
        return op.serve(ctx, agg);
      } catch (ServiceException e) {
        return CompletableFuture.completedFuture(error(e));
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", agg.method(), ctx.path(), e);
        return CompletableFuture.completedFuture(error(new ServiceException(500, "ServiceException", e.toString())));
      }
    }, ctx.blockingTaskExecutor()).exceptionally(t -> {
      Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      if (c instanceof ServiceException se) {
        return error(se);
      }
      LOG.warn("request failed", c);
      return error(new ServiceException(500, "ServiceException", c.toString()));
    }));
  }

  /** The function the path names, once its qualifier is checked. */
  private LambdaFunction function(ServiceRequestContext ctx) {
    return registry.require(qualifiedName(ctx));
  }

  /** The path's function name or ARN; only {@code $LATEST} exists here. */
  private String qualifiedName(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    checkQualifier(name, ctx.queryParams().get("Qualifier"));
    return name;
  }

  private void checkQualifier(String name, String qualifier) {
    String q = qualifier;
    String fn = FunctionRegistry.functionName(name);
    int i = name.indexOf("function:");
    if (q == null && i >= 0) {
      String rest = name.substring(i + "function:".length());
      int c = rest.indexOf(':');
      q = c >= 0 ? rest.substring(c + 1) : null;
    }
    if (q != null && !q.equals("$LATEST")) {
      throw ServiceException.notFound("Function not found: " + registry.arn(fn) + ":" + q);
    }
  }
}
