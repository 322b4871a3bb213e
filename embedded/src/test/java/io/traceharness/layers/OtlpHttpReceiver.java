package io.traceharness.layers;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/** OTLP/HTTP protobuf trace receiver for layer tests: keeps every span with its resource. */
final class OtlpHttpReceiver implements AutoCloseable {

  record ReceivedSpan(Resource resource, Span span) {
    String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    String serviceName() {
      return resource.getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
          .map(a -> a.getValue().getStringValue()).findFirst().orElse(null);
    }

    @Override
    public String toString() {
      return span.getKind() + " " + span.getName() + " trace=" + traceId() + " id=" + spanId() + " parent="
          + parentSpanId() + " service=" + serviceName();
    }
  }

  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final Server server;

  OtlpHttpReceiver() {
    server = Server.builder()
        .http(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .gracefulShutdownTimeout(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1))
        .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          try {
            InputStream in = new ByteArrayInputStream(agg.content().array());
            if ("gzip".equalsIgnoreCase(agg.headers().get("content-encoding"))) {
              in = new GZIPInputStream(in);
            }
            ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(in);
            for (ResourceSpans rs : export.getResourceSpansList()) {
              for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                  spans.add(new ReceivedSpan(rs.getResource(), s));
                }
              }
            }
            return HttpResponse.of(HttpStatus.OK, MediaType.PROTOBUF,
                ExportTraceServiceResponse.getDefaultInstance().toByteArray());
          } catch (IOException e) {
            return HttpResponse.of(HttpStatus.BAD_REQUEST);
          }
        })))
        .build();
    server.start().join();
  }

  java.net.URI endpoint() {
    return java.net.URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
