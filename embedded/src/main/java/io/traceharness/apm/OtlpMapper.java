package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * OTLP → the documents Elastic APM Server writes (elastic/apm-data {@code input/otlp}): spans
 * become transactions or spans, span events become errors or logs, data points become metricsets,
 * log records become logs.
 */
final class OtlpMapper {

  private static final HexFormat HEX = HexFormat.of();
  private static final String[] GRPC_CODES = {"OK", "Canceled", "Unknown", "InvalidArgument",
      "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
      "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
      "DataLoss", "Unauthenticated"};

  /** Fields of a metricset document that are not metric samples. */
  private static final java.util.Set<String> METRICSET_FIELDS = java.util.Set.of("@timestamp", "timestamp",
      "observer", "service", "agent", "cloud", "host", "process", "container", "kubernetes", "labels",
      "numeric_labels", "processor", "metricset", "data_stream");

  private final ObjectNode observer;

  OtlpMapper(ObjectNode observer) {
    this.observer = observer;
  }

  // ---------------------------------------------------------------- resource

  /** Service, agent, cloud, host… from resource attributes; the rest become labels. */
  ObjectNode resourceBase(Resource resource) {
    ObjectNode doc = Docs.object();
    doc.set("observer", observer.deepCopy());
    String serviceName = null;
    String sdkName = null;
    String sdkLanguage = null;
    String sdkVersion = null;
    String distroName = null;
    for (KeyValue kv : resource.getAttributesList()) {
      String k = kv.getKey();
      AnyValue v = kv.getValue();
      String s = v.hasStringValue() ? Docs.truncate(v.getStringValue()) : null;
      switch (k) {
        case "service.name" -> serviceName = s;
        case "service.version" -> Docs.put(doc, "service.version", s);
        case "service.instance.id" -> Docs.put(doc, "service.node.name", s);
        case "deployment.environment", "deployment.environment.name" -> Docs.put(doc, "service.environment", s);
        case "telemetry.sdk.name" -> sdkName = s;
        case "telemetry.sdk.language" -> sdkLanguage = s;
        case "telemetry.sdk.version" -> sdkVersion = s;
        case "telemetry.distro.name" -> distroName = s;
        case "telemetry.distro.version", "telemetry.auto.version" -> { }
        case "cloud.provider" -> Docs.put(doc, "cloud.provider", s);
        case "cloud.region" -> Docs.put(doc, "cloud.region", s);
        case "cloud.availability_zone" -> Docs.put(doc, "cloud.availability_zone", s);
        case "cloud.account.id" -> Docs.put(doc, "cloud.account.id", s);
        case "cloud.platform" -> Docs.put(doc, "cloud.service.name", s);
        case "host.name" -> Docs.put(doc, "host.hostname", s);
        case "host.id" -> Docs.put(doc, "host.id", s);
        case "host.type" -> Docs.put(doc, "host.type", s);
        case "host.arch" -> Docs.put(doc, "host.architecture", s);
        case "os.type" -> Docs.put(doc, "host.os.platform", s);
        case "os.description" -> Docs.put(doc, "host.os.full", s);
        case "container.id" -> Docs.put(doc, "container.id", s);
        case "process.pid" -> Docs.put(doc, "process.pid", v.getIntValue());
        case "process.executable.name" -> Docs.put(doc, "process.title", s);
        case "process.command_line" -> Docs.put(doc, "process.command_line", s);
        case "process.runtime.name" -> Docs.put(doc, "service.runtime.name", s);
        case "process.runtime.version" -> Docs.put(doc, "service.runtime.version", s);
        case "k8s.namespace.name" -> Docs.put(doc, "kubernetes.namespace", s);
        case "k8s.node.name" -> Docs.put(doc, "kubernetes.node.name", s);
        case "k8s.pod.name" -> Docs.put(doc, "kubernetes.pod.name", s);
        case "k8s.pod.uid" -> Docs.put(doc, "kubernetes.pod.uid", s);
        default -> setLabel(doc, k, v);
      }
    }
    Docs.put(doc, "service.name", Docs.cleanServiceName(serviceName));
    String name = sdkName == null || sdkName.isEmpty() ? "otlp" : sdkName;
    String language = sdkLanguage == null || sdkLanguage.isEmpty() ? "unknown" : sdkLanguage;
    String agentName = name + "/" + language + (distroName != null && !distroName.isEmpty() ? "/" + distroName : "");
    Docs.put(doc, "agent.name", agentName);
    Docs.put(doc, "agent.version", sdkVersion == null || sdkVersion.isEmpty() ? "unknown" : sdkVersion);
    if (sdkLanguage != null && !sdkLanguage.isEmpty()) {
      Docs.put(doc, "service.language.name", sdkLanguage);
    }
    return doc;
  }

  /** String/bool → {@code labels}, numbers → {@code numeric_labels}, arrays by their element type. */
  static void setLabel(ObjectNode doc, String key, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> Docs.label(doc, key, Docs.truncate(v.getStringValue()));
      case BOOL_VALUE -> Docs.label(doc, key, Boolean.toString(v.getBoolValue()));
      case INT_VALUE -> Docs.numericLabel(doc, key, v.getIntValue());
      case DOUBLE_VALUE -> Docs.numericLabel(doc, key, v.getDoubleValue());
      case ARRAY_VALUE -> {
        List<AnyValue> values = v.getArrayValue().getValuesList();
        if (values.isEmpty()) {
          return;
        }
        boolean numeric = values.get(0).hasIntValue() || values.get(0).hasDoubleValue();
        ArrayNode array = Docs.NODES.arrayNode();
        for (AnyValue e : values) {
          if (numeric && e.hasIntValue()) {
            array.add((double) e.getIntValue());
          } else if (numeric && e.hasDoubleValue()) {
            array.add(e.getDoubleValue());
          } else if (!numeric && e.hasStringValue()) {
            array.add(Docs.truncate(e.getStringValue()));
          } else if (!numeric && e.hasBoolValue()) {
            array.add(Boolean.toString(e.getBoolValue()));
          }
        }
        Docs.labelArray(doc, numeric ? "numeric_labels" : "labels", key, array);
      }
      default -> { }
    }
  }

  // ---------------------------------------------------------------- traces

  List<ApmDocument> traces(ExportTraceServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      ObjectNode base = resourceBase(rs.getResource());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          convertSpan(span, ss.getScope(), base, out);
        }
      }
    }
    return out;
  }

  private void convertSpan(Span span, InstrumentationScope scope, ObjectNode base, List<ApmDocument> out) {
    boolean root = span.getParentSpanId().isEmpty();
    String spanId = hex(span.getSpanId());
    boolean transaction = root || span.getKind() == Span.SpanKind.SPAN_KIND_SERVER
        || span.getKind() == Span.SpanKind.SPAN_KIND_CONSUMER;
    ObjectNode doc = base.deepCopy();
    Docs.timestamp(doc, span.getStartTimeUnixNano());
    Docs.put(doc, "trace.id", hex(span.getTraceId()));
    if (!root) {
      Docs.put(doc, "parent.id", hex(span.getParentSpanId()));
    }
    long duration = Math.max(0, span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
    String outcome = statusOutcome(span.getStatus());
    if (transaction) {
      Docs.put(doc, "processor.event", "transaction");
      Docs.put(doc, "transaction.id", spanId);
      Docs.put(doc, "span.id", spanId);
      Docs.put(doc, "transaction.name", span.getName());
      Docs.put(doc, "transaction.sampled", true);
      Docs.put(doc, "transaction.representative_count", 1.0);
      Docs.duration(doc, "transaction", duration);
      outcome = translateTransaction(span, scope, doc, outcome);
      Docs.dataStream(doc, "traces", "apm");
    } else {
      Docs.put(doc, "processor.event", "span");
      Docs.put(doc, "span.id", spanId);
      Docs.put(doc, "span.name", span.getName());
      Docs.put(doc, "span.representative_count", 1.0);
      Docs.duration(doc, "span", duration);
      outcome = translateSpan(span, doc, outcome);
      Docs.dataStream(doc, "traces", "apm");
    }
    Docs.outcome(doc, outcome);
    if (span.getLinksCount() > 0) {
      ArrayNode links = Docs.obj(doc, "span").putArray("links");
      for (Span.Link link : span.getLinksList()) {
        links.addObject().put("trace.id", hex(link.getTraceId())).put("span.id", hex(link.getSpanId()));
      }
    }
    out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
    for (Span.Event event : span.getEventsList()) {
      out.add(spanEvent(event, doc, base, transaction));
    }
  }

  private String translateTransaction(Span span, InstrumentationScope scope, ObjectNode doc, String outcome) {
    boolean isHttp = false;
    boolean isRpc = false;
    boolean isMessaging = false;
    String type = null;
    String result = null;
    long statusCode = 0;
    String httpUrl = null;
    String httpHost = null;
    String httpScheme = null;
    String serverName = null;
    String netHostName = null;
    long netHostPort = 0;
    for (KeyValue kv : span.getAttributesList()) {
      String k = kv.getKey();
      AnyValue v = kv.getValue();
      switch (v.getValueCase()) {
        case INT_VALUE -> {
          switch (k) {
            case "http.status_code", "http.response.status_code" -> {
              isHttp = true;
              statusCode = v.getIntValue();
              Docs.put(doc, "http.response.status_code", statusCode);
            }
            case "net.peer.port" -> Docs.put(doc, "source.port", v.getIntValue());
            case "net.host.port" -> netHostPort = v.getIntValue();
            case "rpc.grpc.status_code" -> {
              isRpc = true;
              result = grpcCode(v.getIntValue());
            }
            default -> setLabel(doc, k, v);
          }
        }
        case STRING_VALUE -> {
          String s = Docs.truncate(v.getStringValue());
          switch (k) {
            case "http.method", "http.request.method" -> {
              isHttp = true;
              Docs.put(doc, "http.request.method", s);
            }
            case "http.url", "http.target", "http.path", "url.full" -> {
              isHttp = true;
              httpUrl = s;
            }
            case "http.host" -> {
              isHttp = true;
              httpHost = s;
            }
            case "http.scheme" -> {
              isHttp = true;
              httpScheme = s;
            }
            case "http.status_code", "http.response.status_code" -> {
              try {
                statusCode = Long.parseLong(s);
                isHttp = true;
                Docs.put(doc, "http.response.status_code", statusCode);
              } catch (NumberFormatException e) {
                setLabel(doc, k, v);
              }
            }
            case "http.flavor" -> {
              isHttp = true;
              Docs.put(doc, "http.version", s);
            }
            case "http.server_name" -> {
              isHttp = true;
              serverName = s;
            }
            case "http.client_ip" -> Docs.put(doc, "client.ip", s);
            case "http.user_agent", "user_agent.original" -> Docs.put(doc, "user_agent.original", s);
            case "net.peer.ip" -> Docs.put(doc, "source.ip", s);
            case "net.peer.name" -> Docs.put(doc, "source.domain", s);
            case "net.host.name" -> netHostName = s;
            case "message_bus.destination", "messaging.destination" -> {
              isMessaging = true;
              Docs.put(doc, "transaction.message.queue.name", s);
            }
            case "rpc.system", "rpc.grpc.status_code" -> isRpc = true;
            case "rpc.service", "rpc.method" -> { }
            case "type" -> type = s;
            case "session.id" -> Docs.put(doc, "session.id", s);
            case "service.version" -> Docs.put(doc, "service.version", s);
            default -> setLabel(doc, k, v);
          }
        }
        case KVLIST_VALUE -> { }
        default -> setLabel(doc, k, v);
      }
    }
    if (type == null || type.isEmpty()) {
      type = isMessaging ? "messaging" : (isHttp || isRpc) ? "request" : "unknown";
    }
    Docs.put(doc, "transaction.type", type);
    if (isHttp) {
      if (statusCode > 0) {
        if ("unknown".equals(outcome)) {
          outcome = statusCode >= 500 ? "failure" : "success";
        }
        if (result == null) {
          result = httpResult(statusCode);
        }
      }
      String host = httpHost;
      if (host == null) {
        host = serverName != null ? serverName : netHostName != null ? netHostName : doc.path("host").path("hostname").asText(null);
        if (host != null && netHostPort > 0) {
          host = host + ":" + netHostPort;
        }
      }
      url(doc, httpUrl, host, httpScheme);
    }
    if (doc.has("source") && !doc.has("client")) {
      doc.set("client", doc.get("source").deepCopy());
    }
    if (result == null) {
      result = statusResult(span.getStatus());
    }
    Docs.put(doc, "transaction.result", result);
    if (!scope.getName().isEmpty()) {
      Docs.put(doc, "service.framework.name", scope.getName());
      Docs.put(doc, "service.framework.version", scope.getVersion());
    }
    return outcome;
  }

  private static void url(ObjectNode doc, String rawUrl, String host, String scheme) {
    if (rawUrl == null) {
      return;
    }
    Docs.put(doc, "url.original", rawUrl);
    try {
      URI u = URI.create(rawUrl);
      String s = u.getScheme() != null ? u.getScheme() : scheme != null ? scheme : "http";
      String authority = u.getRawAuthority() != null ? u.getRawAuthority() : host;
      String domain = u.getHost();
      int port = u.getPort();
      if (domain == null && authority != null) {
        int colon = authority.lastIndexOf(':');
        domain = colon > 0 ? authority.substring(0, colon) : authority;
        if (colon > 0) {
          port = Integer.parseInt(authority.substring(colon + 1));
        }
      }
      Docs.put(doc, "url.scheme", s);
      Docs.put(doc, "url.domain", domain);
      if (port > 0) {
        Docs.put(doc, "url.port", port);
      }
      Docs.put(doc, "url.path", u.getRawPath());
      Docs.put(doc, "url.query", u.getRawQuery());
      if (authority != null) {
        Docs.put(doc, "url.full", s + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath())
            + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
      }
    } catch (IllegalArgumentException e) {
      // an unparsable URL stays in url.original only, as APM Server keeps what it cannot parse
    }
  }

  private String translateSpan(Span span, ObjectNode doc, String outcome) {
    String netPeerName = null;
    String netPeerIp = null;
    long netPeerPort = 0;
    String peerService = null;
    String peerAddress = null;
    String httpUrl = null;
    String httpHost = null;
    String httpTarget = null;
    String httpScheme = "http";
    String messageSystem = null;
    String messageOperation = null;
    String queueName = null;
    boolean tempDestination = false;
    String rpcSystem = null;
    String rpcService = null;
    String dbType = null;
    String dbInstance = null;
    long statusCode = 0;
    boolean isHttp = false;
    boolean isDb = false;
    boolean isRpc = false;
    boolean isMessaging = false;
    for (KeyValue kv : span.getAttributesList()) {
      String k = kv.getKey();
      AnyValue v = kv.getValue();
      switch (v.getValueCase()) {
        case BOOL_VALUE -> {
          if (k.equals("messaging.temp_destination")) {
            tempDestination = v.getBoolValue();
          }
          setLabel(doc, k, v);
        }
        case INT_VALUE -> {
          switch (k) {
            case "http.status_code", "http.response.status_code" -> {
              statusCode = v.getIntValue();
              Docs.put(doc, "http.response.status_code", statusCode);
              isHttp = true;
            }
            case "net.peer.port", "peer.port", "server.port" -> netPeerPort = v.getIntValue();
            case "rpc.grpc.status_code" -> {
              rpcSystem = "grpc";
              isRpc = true;
            }
            default -> setLabel(doc, k, v);
          }
        }
        case STRING_VALUE -> {
          String s = Docs.truncate(v.getStringValue());
          switch (k) {
            case "http.host" -> {
              httpHost = s;
              isHttp = true;
            }
            case "http.scheme" -> {
              httpScheme = s;
              isHttp = true;
            }
            case "http.target" -> {
              httpTarget = s;
              isHttp = true;
            }
            case "http.url", "url.full" -> {
              httpUrl = s;
              isHttp = true;
            }
            case "http.method", "http.request.method" -> {
              Docs.put(doc, "http.request.method", s);
              isHttp = true;
            }
            case "sql.query" -> {
              if (dbType == null) {
                dbType = "sql";
              }
              Docs.put(doc, "span.db.statement", v.getStringValue());
              isDb = true;
            }
            case "db.statement" -> {
              Docs.put(doc, "span.db.statement", v.getStringValue());
              isDb = true;
            }
            case "db.name", "db.instance", "db.elasticsearch.cluster.name" -> {
              dbInstance = s;
              isDb = true;
            }
            case "db.system", "db.type" -> {
              dbType = s;
              isDb = true;
            }
            case "db.user" -> {
              Docs.put(doc, "span.db.user.name", s);
              isDb = true;
            }
            case "net.peer.name", "peer.hostname", "server.address" -> netPeerName = s;
            case "net.peer.ip", "peer.ipv4", "peer.ipv6" -> netPeerIp = s;
            case "peer.address" -> peerAddress = s;
            case "session.id" -> Docs.put(doc, "session.id", s);
            case "message_bus.destination", "messaging.destination" -> {
              queueName = s;
              isMessaging = true;
            }
            case "messaging.operation" -> {
              messageOperation = s;
              isMessaging = true;
            }
            case "messaging.system" -> {
              messageSystem = s;
              isMessaging = true;
            }
            case "rpc.system" -> {
              rpcSystem = s;
              isRpc = true;
            }
            case "rpc.service" -> {
              rpcService = s;
              isRpc = true;
            }
            case "rpc.grpc.status_code" -> {
              rpcSystem = "grpc";
              isRpc = true;
            }
            case "rpc.method", "span.kind" -> { }
            case "code.stacktrace" -> Docs.put(doc, "code.stacktrace", s);
            case "peer.service" -> peerService = s;
            default -> setLabel(doc, k, v);
          }
        }
        case KVLIST_VALUE -> { }
        default -> setLabel(doc, k, v);
      }
    }
    if (netPeerName == null && peerAddress != null && !peerAddress.contains(":")) {
      netPeerName = peerAddress;
    }
    long destPort = netPeerPort;
    String destAddr = netPeerName != null ? netPeerName : netPeerIp;

    URI fullUrl = null;
    if (httpUrl != null) {
      fullUrl = parse(httpUrl);
    } else if (httpTarget != null) {
      String host = httpHost;
      if (host == null && destAddr != null) {
        host = destPort > 0 ? destAddr + ":" + destPort : destAddr;
      }
      fullUrl = parse(httpScheme + "://" + (host == null ? "" : host) + httpTarget);
      if (fullUrl != null) {
        httpUrl = fullUrl.toString();
      }
    }
    if (fullUrl != null && fullUrl.getHost() != null) {
      int port = fullUrl.getPort() > 0 ? fullUrl.getPort() : defaultPort(fullUrl.getScheme());
      destAddr = fullUrl.getHost();
      if (port > 0) {
        destPort = port;
      }
    }

    String targetType = null;
    String targetName = peerService;
    String destName = peerService;
    String destResource = peerAddress != null ? peerAddress : peerService;
    String type;
    String subtype = null;
    String action = null;
    if (isHttp) {
      if (statusCode > 0 && "unknown".equals(outcome)) {
        outcome = statusCode >= 400 ? "failure" : "success";
      }
      Docs.put(doc, "url.original", httpUrl);
    }
    if (isDb) {
      type = "db";
      subtype = dbType;
      targetType = subtype != null ? subtype : type;
      if (subtype != null && destName == null) {
        destName = subtype;
        destResource = subtype;
      }
      if (dbInstance != null) {
        Docs.put(doc, "span.db.instance", dbInstance);
        targetName = dbInstance;
      }
      Docs.put(doc, "span.db.type", dbType);
    } else if (isMessaging) {
      type = "messaging";
      subtype = messageSystem;
      if (messageOperation == null && span.getKind() == Span.SpanKind.SPAN_KIND_PRODUCER) {
        messageOperation = "send";
      }
      action = messageOperation;
      targetType = subtype != null ? subtype : type;
      if (subtype != null && destName == null) {
        destName = subtype;
        destResource = subtype;
      }
      if (destResource != null && queueName != null) {
        destResource = destResource + "/" + queueName;
      }
      if (queueName != null) {
        Docs.put(doc, "span.message.queue.name", queueName);
        if (!tempDestination) {
          targetName = queueName;
        }
      }
    } else if (isRpc) {
      type = "external";
      subtype = rpcSystem;
      targetType = subtype != null ? subtype : type;
      if (destName == null) {
        String hostPort = (destAddr == null ? "" : destAddr) + ":" + destPort;
        destName = hostPort;
        destResource = hostPort;
      }
      if (rpcService != null) {
        targetName = rpcService;
      }
    } else if (isHttp) {
      type = "external";
      subtype = "http";
      targetType = subtype;
      if (fullUrl != null && fullUrl.getHost() != null) {
        String scheme = fullUrl.getScheme();
        String hostPart = fullUrl.getRawAuthority();
        String resource = hostPart;
        String nameHost = hostPart;
        if (destPort == defaultPort(scheme)) {
          if (fullUrl.getPort() > 0) {
            nameHost = destAddr;
          } else {
            resource = resource + ":" + destPort;
          }
        }
        targetName = resource;
        if (destName == null) {
          destName = scheme + "://" + nameHost;
          destResource = resource;
        }
      }
    } else if (span.getKind() == Span.SpanKind.SPAN_KIND_INTERNAL) {
      type = "app";
      subtype = "internal";
    } else {
      type = "unknown";
    }
    Docs.put(doc, "span.type", type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (destAddr != null) {
      Docs.put(doc, "destination.address", destAddr);
      Docs.put(doc, "destination.port", destPort);
    }
    if (destName != null || destResource != null) {
      Docs.put(doc, "span.destination.service.name", destName);
      Docs.put(doc, "span.destination.service.resource", destResource);
      Docs.put(doc, "span.destination.service.type", type);
    }
    if (targetType != null || targetName != null) {
      Docs.put(doc, "service.target.type", targetType);
      Docs.put(doc, "service.target.name", targetName);
    }
    return outcome;
  }

  private static URI parse(String s) {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int defaultPort(String scheme) {
    return "http".equals(scheme) ? 80 : "https".equals(scheme) ? 443 : 0;
  }

  /** Span events: {@code exception} → an error document, anything else → a log document. */
  private ApmDocument spanEvent(Span.Event event, ObjectNode parent, ObjectNode base, boolean parentIsTransaction) {
    ObjectNode doc = base.deepCopy();
    Docs.timestamp(doc, event.getTimeUnixNano());
    Docs.put(doc, "trace.id", parent.path("trace").path("id").asText());
    String parentId = parentIsTransaction ? parent.path("transaction").path("id").asText()
        : parent.path("span").path("id").asText();
    String exceptionMessage = null;
    String exceptionType = null;
    String exceptionStacktrace = null;
    boolean escaped = false;
    if (event.getName().equals("exception")) {
      ObjectNode labelsHolder = Docs.object();
      for (KeyValue kv : event.getAttributesList()) {
        switch (kv.getKey()) {
          case "exception.message" -> exceptionMessage = kv.getValue().getStringValue();
          case "exception.type" -> exceptionType = kv.getValue().getStringValue();
          case "exception.stacktrace" -> exceptionStacktrace = kv.getValue().getStringValue();
          case "exception.escaped" -> escaped = kv.getValue().getBoolValue();
          default -> setLabel(labelsHolder, kv.getKey(), kv.getValue());
        }
      }
      if (exceptionMessage != null || exceptionType != null) {
        mergeLabels(doc, labelsHolder);
        Docs.put(doc, "processor.event", "error");
        Docs.put(doc, "error.id", randomHex(16));
        ObjectNode exception = Docs.obj(doc, "error").putArray("exception").addObject();
        if (exceptionMessage != null) {
          exception.put("message", exceptionMessage);
        }
        if (exceptionType != null) {
          exception.put("type", exceptionType);
        }
        exception.put("handled", !escaped);
        if (exceptionStacktrace != null) {
          Docs.put(doc, "error.stack_trace", exceptionStacktrace);
        }
        copyHttp(parent, doc);
        if (parentIsTransaction) {
          Docs.put(doc, "transaction.id", parentId);
          Docs.put(doc, "transaction.sampled", true);
          Docs.put(doc, "transaction.type", parent.path("transaction").path("type").asText());
          Docs.put(doc, "span.id", parentId);
        }
        Docs.put(doc, "parent.id", parentId);
        Docs.dataStream(doc, "logs", "apm.error");
        return new ApmDocument(Docs.dataStreamName(doc), doc);
      }
    }
    Docs.put(doc, "processor.event", "log");
    Docs.put(doc, "event.kind", "event");
    Docs.put(doc, "message", event.getName());
    if (parentIsTransaction) {
      Docs.put(doc, "transaction.id", parentId);
    }
    Docs.put(doc, "span.id", parentId);
    for (KeyValue kv : event.getAttributesList()) {
      setLabel(doc, kv.getKey(), kv.getValue());
    }
    Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  private static void mergeLabels(ObjectNode doc, ObjectNode holder) {
    for (String field : List.of("labels", "numeric_labels")) {
      if (holder.has(field)) {
        Docs.obj(doc, field).setAll((ObjectNode) holder.get(field));
      }
    }
  }

  private static void copyHttp(ObjectNode from, ObjectNode to) {
    if (from.has("http")) {
      to.set("http", from.get("http").deepCopy());
    }
    if (from.has("url")) {
      to.set("url", from.get("url").deepCopy());
    }
  }

  // ---------------------------------------------------------------- metrics

  List<ApmDocument> metrics(ExportMetricsServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      ObjectNode base = resourceBase(rm.getResource());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        // samples with the same timestamp and attributes share one metricset document
        Map<String, ObjectNode> sets = new LinkedHashMap<>();
        for (Metric metric : sm.getMetricsList()) {
          switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsList()
                .forEach(p -> number(sets, base, metric.getName(), p));
            case SUM -> metric.getSum().getDataPointsList()
                .forEach(p -> number(sets, base, metric.getName(), p));
            case HISTOGRAM -> metric.getHistogram().getDataPointsList()
                .forEach(p -> histogram(sets, base, metric.getName(), p));
            default -> { }
          }
        }
        for (ObjectNode doc : sets.values()) {
          List<String> names = new ArrayList<>();
          doc.fieldNames().forEachRemaining(n -> {
            if (!METRICSET_FIELDS.contains(n)) {
              names.add(n);
            }
          });
          Docs.dataStream(doc, "metrics", InternalMetrics.allInternal(names) ? "apm.internal"
              : "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
          out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
        }
      }
    }
    return out;
  }

  private static ObjectNode metricset(Map<String, ObjectNode> sets, ObjectNode base, long time, List<KeyValue> attributes) {
    String key = time + "|" + attributes;
    return sets.computeIfAbsent(key, k -> {
      ObjectNode doc = base.deepCopy();
      Docs.timestamp(doc, time);
      Docs.put(doc, "processor.event", "metric");
      Docs.put(doc, "metricset.name", "app");
      for (KeyValue kv : attributes) {
        setLabel(doc, kv.getKey(), kv.getValue());
      }
      return doc;
    });
  }

  private static void number(Map<String, ObjectNode> sets, ObjectNode base, String name, NumberDataPoint p) {
    ObjectNode doc = metricset(sets, base, p.getTimeUnixNano(), p.getAttributesList());
    if (p.hasAsInt()) {
      doc.put(name, p.getAsInt());
    } else {
      doc.put(name, p.getAsDouble());
    }
  }

  private static void histogram(Map<String, ObjectNode> sets, ObjectNode base, String name, HistogramDataPoint p) {
    ObjectNode doc = metricset(sets, base, p.getTimeUnixNano(), p.getAttributesList());
    ObjectNode h = doc.putObject(name);
    ArrayNode values = h.putArray("values");
    ArrayNode counts = h.putArray("counts");
    List<Double> bounds = p.getExplicitBoundsList();
    for (int i = 0; i < p.getBucketCountsCount(); i++) {
      long count = p.getBucketCounts(i);
      if (count == 0) {
        continue;
      }
      double value;
      if (bounds.isEmpty()) {
        value = 0;
      } else if (i == 0) {
        value = bounds.get(0) / 2;
      } else if (i >= bounds.size()) {
        value = bounds.get(bounds.size() - 1);
      } else {
        value = bounds.get(i - 1) + (bounds.get(i) - bounds.get(i - 1)) / 2;
      }
      values.add(value);
      counts.add(count);
    }
  }

  // ---------------------------------------------------------------- logs

  List<ApmDocument> logs(ExportLogsServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      ObjectNode base = resourceBase(rl.getResource());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord record : sl.getLogRecordsList()) {
          ObjectNode doc = base.deepCopy();
          long time = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
          Docs.timestamp(doc, time);
          Docs.put(doc, "processor.event", "log");
          Docs.put(doc, "event.kind", "event");
          if (record.getBody().hasStringValue()) {
            Docs.put(doc, "message", record.getBody().getStringValue());
          }
          Docs.put(doc, "log.level", record.getSeverityText());
          if (record.getSeverityNumberValue() != 0) {
            Docs.put(doc, "event.severity", record.getSeverityNumberValue());
          }
          if (!record.getTraceId().isEmpty()) {
            Docs.put(doc, "trace.id", hex(record.getTraceId()));
          }
          if (!record.getSpanId().isEmpty()) {
            Docs.put(doc, "span.id", hex(record.getSpanId()));
          }
          for (KeyValue kv : record.getAttributesList()) {
            setLabel(doc, kv.getKey(), kv.getValue());
          }
          Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
          out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  static String hex(ByteString bytes) {
    return bytes.isEmpty() ? "" : HEX.formatHex(bytes.toByteArray());
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HEX.formatHex(b);
  }

  private static String statusOutcome(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> "success";
      case STATUS_CODE_ERROR -> "failure";
      default -> "unknown";
    };
  }

  private static String statusResult(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> "Success";
      case STATUS_CODE_ERROR -> "Error";
      default -> null;
    };
  }

  static String httpResult(long statusCode) {
    long i = statusCode / 100;
    return i >= 1 && i <= 5 ? "HTTP " + i + "xx" : "HTTP " + statusCode;
  }

  private static String grpcCode(long code) {
    return code >= 0 && code < GRPC_CODES.length ? GRPC_CODES[(int) code] : "Code(" + code + ")";
  }
}
