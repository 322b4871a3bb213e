package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Intake v2 conformance: events in, documents read back from Elasticsearch, compared field by field
 * with what APM Server 8.19 (apm-data v1.22.0) and Elasticsearch 8.19's apm-data plugin store for
 * the same input. Each case names the apm-server approval or apm-data file its facts come from;
 * the inputs are our own, shaped after apm-server's {@code testdata/intake-v2/*.ndjson}.
 *
 * <p>Fields the real stack keeps unindexed ({@code dynamic: false} objects such as
 * {@code transaction.custom}, {@code http.request.cookies}, stack traces) are invisible in the
 * approvals; where an input has them, the rule says so with {@link Conformance.Rule#gap}.
 */
@ExtendWith({ConformanceStack.Resolver.class, Conformance.Tally.class})
class IntakeConformanceIT {

  static final String INTAKE = "intake v2";
  static final String MINIMAL_METADATA = "{\"metadata\": {\"service\": {\"name\": \"1234_service-12a3\", "
      + "\"agent\": {\"version\": \"3.14.0\", \"name\": \"elastic-node\"}}}}";

  /** elasticsearch apm@pipeline.yaml geoip step: it needs the GeoLite2 database the integ-test node lacks. */
  static final String GEOIP = "no geoip database on the embedded node (apm@pipeline.yaml geoip step)";

  static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  /** Fields every backend document carries: agent and service from the metadata, host.ip from the peer. */
  static Conformance.Rule minimal(String source, String dataset, String type) {
    return Conformance.rule(INTAKE, source)
        .fields("agent.name", "elastic-node", "agent.version", "3.14.0", "service.name", "1234_service-12a3",
            // apm-server internal/beater/api/mux.go backendRequestMetadataFunc: the client's address
            "host.ip", "127.0.0.1", "observer.type", "apm-server",
            "data_stream.type", type, "data_stream.dataset", dataset, "data_stream.namespace", "default")
        .dynamic("observer.hostname", "observer.version", "event.ingested", "@timestamp");
  }

  // ---------------------------------------------------------------- minimal events

  /** apm-server systemtest/approvals/TestIntake/MinimalEvents.approved.json (input minimal.ndjson). */
  @Test
  void minimalEvents(ConformanceStack stack) {
    String source = "apm-server systemtest/approvals/TestIntake/MinimalEvents.approved.json";
    HttpResponse<String> r = stack.intake(lines(MINIMAL_METADATA,
        "{\"error\": {\"id\": \"aa00000000000001\", \"log\": {\"message\": \"error log message\"}}}",
        "{\"error\": {\"id\": \"aa00000000000002\", \"exception\": {\"message\": \"error exception message\"}}}",
        "{\"error\": {\"id\": \"aa00000000000003\", \"exception\": {\"type\": \"error exception type\"}}}",
        "{\"span\": {\"id\": \"aa0000000000000a\", \"trace_id\": \"aa000000000000000000000000000001\", "
            + "\"parent_id\": \"ab23456a89012345\", \"name\": \"GET /api/types\", \"type\": \"request\", \"start\": 1.845, "
            + "\"duration\": 3.5642981}}",
        "{\"transaction\": {\"trace_id\": \"aa000000000000000000000000000002\", \"id\": \"aa0000000000000b\", "
            + "\"type\": \"request\", \"duration\": 32.592981, \"span_count\": {\"started\": 0}}}",
        "{\"metricset\": {\"samples\":{\"minimal_sample\":{\"value\":3.2}}, \"timestamp\": 1496170422281000}}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

    minimal(source, "apm.error", "logs")
        .fields("error.id", "aa00000000000001", "error.log.level", "error", "error.log.message", "error log message",
            "error.grouping_name", "error log message", "message", "error log message", "event.dataset", "apm.error",
            "processor.event", "error")
        .dynamic("error.grouping_key", "timestamp.us")
        .check(stack.awaitDocuments("error.id:aa00000000000001", 1).get(0));
    minimal(source, "apm.error", "logs")
        .fields("error.id", "aa00000000000002", "error.exception.message", "error exception message",
            "error.grouping_name", "error exception message", "message", "error exception message",
            "event.dataset", "apm.error", "processor.event", "error")
        .dynamic("error.grouping_key", "timestamp.us")
        .check(stack.awaitDocuments("error.id:aa00000000000002", 1).get(0));
    minimal(source, "apm.error", "logs")
        .fields("error.id", "aa00000000000003", "error.exception.type", "error exception type",
            "event.dataset", "apm.error", "processor.event", "error")
        .dynamic("error.grouping_key", "timestamp.us")
        .check(stack.awaitDocuments("error.id:aa00000000000003", 1).get(0));
    minimal(source, "apm", "traces")
        .fields("event.outcome", "unknown", "parent.id", "ab23456a89012345", "processor.event", "span",
            "span.duration.us", 3564, "span.id", "aa0000000000000a", "span.name", "GET /api/types",
            "span.representative_count", 1, "span.type", "request", "trace.id", "aa000000000000000000000000000001")
        .dynamic("timestamp.us")
        .check(stack.awaitDocuments("span.id:aa0000000000000a", 1).get(0));
    minimal(source, "apm", "traces")
        .fields("event.outcome", "unknown", "processor.event", "transaction", "span.id", "aa0000000000000b",
            "trace.id", "aa000000000000000000000000000002", "transaction.duration.us", 32592,
            "transaction.id", "aa0000000000000b", "transaction.representative_count", 1, "transaction.sampled", true,
            "transaction.span_count.started", 0, "transaction.type", "request")
        .dynamic("timestamp.us")
        .check(stack.awaitDocuments("transaction.id:aa0000000000000b", 1).get(0));
    minimal(source, "apm.app.1234_service_12a3", "metrics")
        .fields("minimal_sample", 3.2, "metricset.name", "app", "processor.event", "metric")
        .check(stack.awaitDocuments("_exists_:minimal_sample", 1).get(0));
  }

  // ---------------------------------------------------------------- transactions

  static final String FULL_METADATA = "{\"metadata\": {\"service\": {\"name\": \"1234_service-12a3\",\"node\": "
      + "{\"configured_name\": \"node-123\"},\"version\": \"5.1.3\",\"environment\": \"staging\",\"language\": "
      + "{\"name\": \"ecmascript\",\"version\": \"8\"},\"runtime\": {\"name\": \"node\",\"version\": \"8.0.0\"},"
      + "\"framework\": {\"name\": \"Express\",\"version\": \"1.2.3\"},\"agent\": {\"name\": \"elastic-node\", "
      + "\"activation_method\": \"some_activation_method\",\"version\": \"3.14.0\"}},\"user\": {\"id\": \"123user\", "
      + "\"username\": \"bar\", \"email\": \"bar@user.com\"}, \"labels\": {\"tag0\": null, \"tag1\": \"one\", \"tag2\": 2}, "
      + "\"process\": {\"pid\": 1234,\"ppid\": 6789,\"title\": \"node\",\"argv\": [\"node\",\"server.js\"]},"
      + "\"system\": {\"hostname\": \"prod1.example.com\",\"architecture\": \"x64\",\"platform\": \"darwin\", "
      + "\"container\": {\"id\": \"container-id\"}, \"kubernetes\": {\"namespace\": \"namespace1\", \"pod\": "
      + "{\"uid\": \"pod-uid\", \"name\": \"pod-name\"}, \"node\": {\"name\": \"node-name\"}}},\"cloud\":{\"account\":"
      + "{\"id\":\"account_id\",\"name\":\"account_name\"},\"availability_zone\":\"cloud_availability_zone\",\"instance\":"
      + "{\"id\":\"instance_id\",\"name\":\"instance_name\"},\"machine\":{\"type\":\"machine_type\"},\"project\":"
      + "{\"id\":\"project_id\",\"name\":\"project_name\"},\"provider\":\"cloud_provider\",\"region\":\"cloud_region\","
      + "\"service\":{\"name\":\"lambda\"}}}}";

  /**
   * What FULL_METADATA becomes on every event: apm-data decoder.go mapToMetadataModel, the
   * deprecated system.hostname replaced by the Kubernetes node name (modelprocessor/hostname.go),
   * process.ppid renamed by elasticsearch apm@pipeline.yaml.
   */
  static Conformance.Rule full(String source) {
    return Conformance.rule(INTAKE, source)
        .fields("agent.activation_method", "some_activation_method", "agent.name", "elastic-node",
            "agent.version", "3.14.0", "cloud.account.id", "account_id", "cloud.account.name", "account_name",
            "cloud.availability_zone", "cloud_availability_zone", "cloud.instance.id", "instance_id",
            "cloud.instance.name", "instance_name", "cloud.machine.type", "machine_type", "cloud.project.id", "project_id",
            "cloud.project.name", "project_name", "cloud.provider", "cloud_provider", "cloud.region", "cloud_region",
            "cloud.service.name", "lambda", "container.id", "container-id", "data_stream.dataset", "apm",
            "data_stream.namespace", "default", "data_stream.type", "traces", "host.architecture", "x64",
            "host.hostname", "node-name", "host.ip", "127.0.0.1", "host.name", "node-name", "host.os.platform", "darwin",
            "kubernetes.namespace", "namespace1", "kubernetes.node.name", "node-name", "kubernetes.pod.name", "pod-name",
            "kubernetes.pod.uid", "pod-uid", "labels.tag1", "one", "numeric_labels.tag2", 2, "observer.type", "apm-server",
            "process.args", List.of("node", "server.js"), "process.parent.pid", 6789, "process.pid", 1234,
            "process.title", "node", "service.environment", "staging", "service.framework.name", "Express",
            "service.framework.version", "1.2.3", "service.language.name", "ecmascript", "service.language.version", "8",
            "service.name", "1234_service-12a3", "service.node.name", "node-123", "service.runtime.name", "node",
            "service.runtime.version", "8.0.0", "service.version", "5.1.3", "user.email", "bar@user.com",
            "user.id", "123user", "user.name", "bar")
        .dynamic("observer.hostname", "observer.version", "event.ingested");
  }

  /** apm-server systemtest/approvals/TestIntake/Transactions.approved.json, first document (bridged OTel attributes). */
  @Test
  void transactionWithOtelAttributes(ConformanceStack stack) {
    stack.intake(lines(FULL_METADATA, "{\"transaction\": { \"id\": \"bb00000000000001\", \"trace_id\": "
        + "\"bb000000000000000000000000000001\", \"parent_id\": \"abcdefabcdef01234567\", \"type\": \"request\", "
        + "\"duration\": 32.592981, \"timestamp\": 1496170407154000, \"span_count\": { \"started\": 43 }, "
        + "\"otel\": { \"attributes\" : { \"elastic.profiler_stack_trace_ids\" : [\"foo\", \"bar\", \"foo\"]}}}}"));
    full("apm-server systemtest/approvals/TestIntake/Transactions.approved.json [0]")
        .fields("@timestamp", "2017-05-30T18:53:27.154Z", "timestamp.us", 1496170407154000L,
            // apm-data translates bridged transactions as OTLP spans: unset status → success, "Success"
            "event.outcome", "success", "event.success_count", 1, "transaction.result", "Success", "span.kind", "SERVER",
            "parent.id", "abcdefabcdef01234567", "processor.event", "transaction", "span.id", "bb00000000000001",
            "trace.id", "bb000000000000000000000000000001", "transaction.duration.us", 32592,
            "transaction.id", "bb00000000000001", "transaction.profiler_stack_trace_ids", List.of("foo", "bar", "foo"),
            "transaction.representative_count", 1, "transaction.sampled", true, "transaction.span_count.started", 43,
            "transaction.type", "request")
        .check(stack.awaitDocuments("transaction.id:bb00000000000001", 1).get(0));
  }

  /** apm-server systemtest/approvals/TestIntake/Transactions.approved.json, second document (the full context). */
  @Test
  void transactionWithFullContext(ConformanceStack stack) {
    stack.intake(lines(FULL_METADATA, "{\"transaction\": {\"id\": \"bb00000000000002\", \"trace_id\": "
        + "\"bb000000000000000000000000000002\", \"name\": \"GET /api/types\",\"type\": \"request\",\"duration\": 32.592981,"
        + "\"outcome\":\"success\", \"result\": \"success\", \"timestamp\": 1496170407154000, \"sampled\": true, "
        + "\"span_count\": {\"started\": 17},\"context\": {\"service\": {\"runtime\": {\"version\": \"7.0\"}},"
        + "\"page\":{\"referer\":\"http://localhost:8000/test/e2e/\",\"url\":\"http://localhost:8000/test/e2e/general-usecase/\"}, "
        + "\"request\": {\"socket\": {\"remote_address\": \"12.53.12.1\",\"encrypted\": true},\"http_version\": \"1.1\","
        + "\"method\": \"POST\",\"url\": {\"protocol\": \"https:\",\"full\": \"https://www.example.com/p/a/t/h?query=string#hash\","
        + "\"hostname\": \"www.example.com\",\"port\": \"8080\",\"pathname\": \"/p/a/t/h\",\"search\": \"?query=string\","
        + "\"hash\": \"#hash\",\"raw\": \"/p/a/t/h?query=string#hash\"},\"headers\": {\"user-agent\":[\"Mozilla/5.0 "
        + "(Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36\","
        + "\"Mozilla Chrome Edge\"],\"content-type\": \"text/html\",\"some-other-header\": \"foo\"},"
        + "\"env\": {\"SERVER_SOFTWARE\": \"nginx\",\"GATEWAY_INTERFACE\": \"CGI/1.1\"}},"
        + "\"response\": {\"status_code\": 200,\"headers\": {\"content-type\": \"application/json\"},\"headers_sent\": true,"
        + "\"finished\": true,\"transfer_size\":258,\"encoded_body_size\":2690,\"decoded_body_size\":2990}, "
        + "\"user\": {\"domain\": \"ldap://abc\",\"id\": \"99\",\"username\": \"foo\"},\"tags\": {\"organization_uuid\": "
        + "\"9f0e9d64-c185-4d21-a6f4-4673ed561ec8\", \"tag2\": 12, \"tag3\": 12.45, \"tag4\": false, \"tag5\": null }}}}"));
    full("apm-server systemtest/approvals/TestIntake/Transactions.approved.json [1]")
        .fields("@timestamp", "2017-05-30T18:53:27.154Z", "timestamp.us", 1496170407154000L,
            "client.ip", "12.53.12.1", "source.ip", "12.53.12.1",
            "event.outcome", "success", "event.success_count", 1,
            "http.request.env.GATEWAY_INTERFACE", "CGI/1.1", "http.request.env.SERVER_SOFTWARE", "nginx",
            "http.request.headers.Content-Type", "text/html", "http.request.headers.Some-Other-Header", "foo",
            "http.request.headers.User-Agent", List.of("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 "
                + "(KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36", "Mozilla Chrome Edge"),
            "http.request.method", "POST", "http.request.referrer", "http://localhost:8000/test/e2e/",
            "http.response.decoded_body_size", 2990, "http.response.encoded_body_size", 2690,
            "http.response.finished", true, "http.response.headers.Content-Type", "application/json",
            "http.response.headers_sent", true, "http.response.status_code", 200, "http.response.transfer_size", 258,
            "http.version", "1.1",
            // context tags override the metadata's labels of the same key; a boolean is a string label
            "labels.organization_uuid", "9f0e9d64-c185-4d21-a6f4-4673ed561ec8", "labels.tag4", "false",
            "numeric_labels.tag2", 12, "numeric_labels.tag3", 12.45,
            "processor.event", "transaction", "service.runtime.version", "7.0", "span.id", "bb00000000000002",
            "trace.id", "bb000000000000000000000000000002", "transaction.duration.us", 32592,
            "transaction.id", "bb00000000000002", "transaction.name", "GET /api/types",
            "transaction.representative_count", 1, "transaction.result", "success", "transaction.sampled", true,
            "transaction.span_count.started", 17, "transaction.type", "request",
            "url.domain", "www.example.com", "url.fragment", "#hash", "url.full", "https://www.example.com/p/a/t/h?query=string#hash",
            "url.original", "/p/a/t/h?query=string#hash", "url.path", "/p/a/t/h", "url.port", 8080,
            "url.query", "?query=string", "url.scheme", "https",
            // context.user replaces the metadata's user as a whole
            "user.domain", "ldap://abc", "user.id", "99", "user.name", "foo",
            "user_agent.device.name", "Mac", "user_agent.name", "Chrome",
            "user_agent.original", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/51.0.2704.103 Safari/537.36, Mozilla Chrome Edge",
            "user_agent.os.full", "Mac OS X 10.10.5", "user_agent.os.name", "Mac OS X", "user_agent.os.version", "10.10.5",
            "user_agent.version", "51.0.2704.103")
        .without("user.email")
        .fields("client.geo.continent_name", "North America", "client.geo.country_iso_code", "US",
            "client.geo.country_name", "United States", "client.geo.location", "<a geo point>")
        .gap("client.geo.continent_name", GEOIP).gap("client.geo.country_iso_code", GEOIP)
        .gap("client.geo.country_name", GEOIP).gap("client.geo.location", GEOIP)
        .check(stack.awaitDocuments("transaction.id:bb00000000000002", 1).get(0));
  }

  /** apm-server systemtest/approvals/TestIntake/Transactions.approved.json, fourth document (Lambda: faas, cloud and service origin). */
  @Test
  void lambdaTransaction(ConformanceStack stack) {
    stack.intake(lines(FULL_METADATA, "{\"transaction\": { \"name\": \"july-2021-delete-after-july-31\", \"type\": "
        + "\"lambda\", \"result\": \"success\", \"id\": \"bb00000000000004\", \"trace_id\": "
        + "\"bb000000000000000000000000000004\", \"subtype\": null, \"action\": null, \"duration\": 38.853, "
        + "\"timestamp\": 1631736666365048, \"sampled\": true, \"context\": { \"cloud\": { \"origin\": { \"account\": "
        + "{ \"id\": \"abc123\" }, \"provider\": \"aws\", \"region\": \"us-east-1\", \"service\": { \"name\": "
        + "\"serviceName\" } } }, \"service\": { \"origin\": { \"id\": \"abc123\", \"name\": \"service-name\", "
        + "\"version\": \"1.0\" } }, \"user\": {}, \"tags\": {}, \"custom\": { } }, \"sync\": true, \"span_count\": "
        + "{ \"started\": 0 }, \"outcome\": \"unknown\", \"faas\": { \"coldstart\": false, \"execution\": "
        + "\"2e13b309-23e1-417f-8bf7-074fc96bc683\", \"trigger\": { \"request_id\": \"FuH2Cir_vHcEMUA=\", \"type\": "
        + "\"http\" }, \"name\": \"faasName\", \"version\": \"1.0.0\" }, \"sample_rate\": 1 } }"));
    full("apm-server systemtest/approvals/TestIntake/Transactions.approved.json [3]")
        .fields("@timestamp", "2021-09-15T20:11:06.365Z", "timestamp.us", 1631736666365048L,
            "cloud.origin.account.id", "abc123", "cloud.origin.provider", "aws", "cloud.origin.region", "us-east-1",
            "cloud.origin.service.name", "serviceName", "event.outcome", "unknown", "faas.coldstart", false,
            "faas.execution", "2e13b309-23e1-417f-8bf7-074fc96bc683", "faas.name", "faasName",
            "faas.trigger.request_id", "FuH2Cir_vHcEMUA=", "faas.trigger.type", "http", "faas.version", "1.0.0",
            "processor.event", "transaction", "service.origin.id", "abc123", "service.origin.name", "service-name",
            "service.origin.version", "1.0", "span.id", "bb00000000000004", "trace.id", "bb000000000000000000000000000004",
            "transaction.duration.us", 38853, "transaction.id", "bb00000000000004",
            "transaction.name", "july-2021-delete-after-july-31", "transaction.representative_count", 1,
            "transaction.result", "success", "transaction.sampled", true, "transaction.span_count.started", 0,
            "transaction.type", "lambda")
        .check(stack.awaitDocuments("transaction.id:bb00000000000004", 1).get(0));
  }

  // ---------------------------------------------------------------- spans

  /** apm-server systemtest/approvals/TestIntake/Spans.approved.json, first document (db span, context.service override). */
  @Test
  void dbSpanWithServiceOverride(ConformanceStack stack) {
    String metadata = "{\"metadata\": {\"user\": {\"domain\": \"ldap://abc\", \"id\": \"123\", \"email\": "
        + "\"s@test.com\", \"username\": \"john\"}, \"system\": {\"platform\": \"darwin\", \"hostname\": "
        + "\"prod1.example.com\", \"architecture\": \"x64\", \"container\": {\"id\": \"container-id\"}, "
        + "\"kubernetes\": {\"node\": {\"name\": \"node-name\"}}}, \"labels\": {\"tag1\": \"label1\"}, "
        + "\"service\": {\"name\": \"backendspans\", \"agent\": {\"version\": \"3.14.0\", \"name\": "
        + "\"elastic-node\", \"activation_method\": \"some_activation_method\"}, \"environment\": \"staging\", "
        + "\"version\": \"5.1.3\"}}}";
    stack.intake(lines(metadata, "{\"span\": {\"trace_id\": \"cc000000000000000000000000000001\", \"parent_id\": "
        + "\"abcdef0123456789\", \"id\": \"cc00000000000001\", \"sync\": true, \"name\": \"SELECT FROM product_types\", "
        + "\"type\": \"db.postgresql.query\", \"start\": 2.83092, \"duration\": 3.781912, \"timestamp\": 1532976822281000, "
        + "\"context\": { \"db\": { \"instance\": \"customers\", \"statement\": \"SELECT * FROM product_types WHERE "
        + "user_id=?\", \"type\": \"sql\", \"user\": \"readonly_user\", \"link\": \"other.db.com\", \"rows_affected\": 2}, "
        + "\"http\": { \"url\": \"http://localhost:8000\", \"status_code\":200, \"response\":{\"headers\": "
        + "{ \"content-type\": [] }, \"status_code\":200,\"transfer_size\":30012,\"encoded_body_size\":356,"
        + "\"decoded_body_size\":401}, \"method\": \"GET\" }, \"destination\": {\"address\": \"0:0::0:1\", "
        + "\"port\": 5432, \"service\": {\"type\": \"db\", \"name\": \"postgresql\", \"resource\": "
        + "\"postgres/testdb\"}}, \"service\":{\"name\":\"service1\",\"agent\":{\"version\":\"2.2\",\"name\":"
        + "\"elastic-ruby\", \"ephemeral_id\": \"justanid\"}}}}}"));
    Conformance.rule(INTAKE, "apm-server systemtest/approvals/TestIntake/Spans.approved.json [0]")
        .fields("@timestamp", "2018-07-30T18:53:42.281Z", "timestamp.us", 1532976822281000L,
            "agent.activation_method", "some_activation_method", "agent.ephemeral_id", "justanid",
            "agent.name", "elastic-ruby", "agent.version", "2.2", "container.id", "container-id",
            "data_stream.dataset", "apm", "data_stream.namespace", "default", "data_stream.type", "traces",
            // modeljson/destination.pb.json.go copies the address as sent; the approval's "::1" is the
            // fields API printing the ip field canonically, _source keeps "0:0::0:1"
            "destination.address", "0:0::0:1", "destination.ip", "0:0::0:1", "destination.port", 5432,
            "event.outcome", "success", "event.success_count", 1, "host.architecture", "x64",
            "host.hostname", "node-name", "host.ip", "127.0.0.1", "host.name", "node-name", "host.os.platform", "darwin",
            "http.request.method", "GET", "http.response.decoded_body_size", 401, "http.response.encoded_body_size", 356,
            "http.response.status_code", 200, "http.response.transfer_size", 30012, "kubernetes.node.name", "node-name",
            "labels.tag1", "label1", "observer.type", "apm-server", "parent.id", "abcdef0123456789",
            "processor.event", "span", "service.environment", "staging", "service.name", "service1",
            // modelprocessor/nodename.go: the container id; the context's service name drops the metadata's version
            "service.node.name", "container-id", "service.target.name", "testdb", "service.target.type", "postgres",
            "span.action", "query", "span.db.instance", "customers", "span.db.link", "other.db.com",
            "span.db.rows_affected", 2, "span.db.statement", "SELECT * FROM product_types WHERE user_id=?",
            "span.db.type", "sql", "span.db.user.name", "readonly_user", "span.destination.service.name", "postgresql",
            "span.destination.service.resource", "postgres/testdb", "span.destination.service.type", "db",
            "span.duration.us", 3781, "span.id", "cc00000000000001", "span.name", "SELECT FROM product_types",
            "span.representative_count", 1, "span.subtype", "postgresql", "span.sync", true, "span.type", "db",
            "trace.id", "cc000000000000000000000000000001", "url.original", "http://localhost:8000",
            "user.domain", "ldap://abc", "user.email", "s@test.com", "user.id", "123", "user.name", "john")
        .dynamic("observer.hostname", "observer.version", "event.ingested")
        .check(stack.awaitDocuments("span.id:cc00000000000001", 1).get(0));
  }

  // ---------------------------------------------------------------- errors, metricsets, logs

  /** apm-server systemtest/approvals/TestIntake/Errors.approved.json shape: exception with cause, log, transaction ref. */
  @Test
  void errorWithExceptionLogAndTransaction(ConformanceStack stack) {
    stack.intake(lines(MINIMAL_METADATA, "{\"error\": {\"id\": \"dd000000000000000000000000000001\", \"timestamp\": "
        + "1494342245999999, \"culprit\": \"my.module.function_name\", \"trace_id\": \"dd000000000000000000000000000002\", "
        + "\"parent_id\": \"9632587410abcdef\", \"transaction_id\": \"1234567890987654\", \"transaction\": "
        + "{\"sampled\": true, \"type\": \"request\", \"name\": \"GET /\"}, \"log\": {\"message\": \"My service "
        + "could not talk to the database named foobar\", \"param_message\": \"My service could not talk to the database "
        + "named %s\", \"logger_name\": \"my.logger.name\", \"level\": \"warning\"}, \"exception\": {\"message\": "
        + "\"The username root is unknown\", \"type\": \"DbError\", \"module\": \"__builtins__\", \"code\": 42, "
        + "\"handled\": false, \"cause\": [{\"type\": \"InternalDbError\", \"message\": \"something wrong writing a "
        + "file\"}]}}}"));
    minimal("apm-server systemtest/approvals/TestIntake/Errors.approved.json", "apm.error", "logs")
        .fields("@timestamp", "2017-05-09T15:04:05.999Z", "timestamp.us", 1494342245999999L,
            "error.culprit", "my.module.function_name", "error.exception.code", "42",
            "error.exception.handled", false, "error.exception.message", List.of("The username root is unknown",
                "something wrong writing a file"), "error.exception.module", "__builtins__",
            // model/modeljson: causes follow their parent in one array and name its index
            "error.exception.parent", 0, "error.exception.type", List.of("DbError", "InternalDbError"),
            "error.grouping_name", "My service could not talk to the database named foobar",
            "error.id", "dd000000000000000000000000000001", "error.log.level", "warning",
            "error.log.logger_name", "my.logger.name",
            "error.log.message", "My service could not talk to the database named foobar",
            "error.log.param_message", "My service could not talk to the database named %s",
            "event.dataset", "apm.error", "message", "My service could not talk to the database named foobar",
            "parent.id", "9632587410abcdef", "processor.event", "error", "span.id", "1234567890987654",
            "trace.id", "dd000000000000000000000000000002", "transaction.id", "1234567890987654",
            "transaction.name", "GET /", "transaction.sampled", true, "transaction.type", "request")
        .dynamic("error.grouping_key")
        .check(stack.awaitDocuments("error.id:dd000000000000000000000000000001", 1).get(0));
  }

  /** apm-server systemtest/approvals/TestIntake/Metricsets.approved.json shape: tags, an app metric, faas. */
  @Test
  void metricsetWithTagsAndFaas(ConformanceStack stack) {
    stack.intake(lines(MINIMAL_METADATA, "{\"metricset\": {\"samples\": {\"conformance.gauge\": {\"value\": 42.5}}, "
        + "\"tags\": {\"some\": \"abc\", \"code\": 200, \"success\": true}, \"timestamp\": 1496170421364000, "
        + "\"faas\": {\"coldstart\": true, \"execution\": \"2e13b309-23e1-417f-8bf7-074fc96bc683\", \"id\": "
        + "\"arn:aws:lambda:us-west-2:123456789012:function:my-function\"}}}"));
    minimal("apm-server systemtest/approvals/TestIntake/Metricsets.approved.json", "apm.app.1234_service_12a3", "metrics")
        .fields("@timestamp", "2017-05-30T18:53:41.364Z", "conformance.gauge", 42.5, "labels.some", "abc",
            "labels.success", "true", "numeric_labels.code", 200, "metricset.name", "app", "processor.event", "metric",
            "faas.coldstart", true, "faas.execution", "2e13b309-23e1-417f-8bf7-074fc96bc683",
            "faas.id", "arn:aws:lambda:us-west-2:123456789012:function:my-function")
        .check(stack.awaitDocuments("_exists_:conformance.gauge", 1).get(0));
  }

  /** apm-server systemtest/approvals/TestIntakeLog/with_faas.approved.json (logs.ndjson, the faas line). */
  @Test
  void logWithFaas(ConformanceStack stack) {
    stack.intake(lines("{\"metadata\":{\"process\":{\"pid\":1234,\"title\":\"/usr/lib/jvm/java-10-openjdk-amd64/bin/java\","
        + "\"ppid\":1,\"argv\":[\"-v\"]},\"system\":{\"architecture\":\"amd64\",\"detected_hostname\":\"8ec7ceb99074\","
        + "\"configured_hostname\":\"host1\",\"platform\":\"Linux\",\"container\":{\"id\":\"8ec7ceb99074\"},"
        + "\"kubernetes\":{\"namespace\":\"default\",\"pod\":{\"uid\":\"b17f231da0ad\",\"name\":"
        + "\"instrumented-java-service\"},\"node\":{\"name\":\"node-name\"}}},\"service\":{\"name\":\"logsvc\","
        + "\"version\":\"4.3.0\",\"node\":{\"configured_name\":\"8ec7ceb99074\"},\"environment\":\"production\","
        + "\"language\":{\"name\":\"Java\",\"version\":\"10.0.2\"},\"agent\":{\"version\":\"1.10.0\",\"name\":"
        + "\"java\",\"ephemeral_id\":\"e71be9ac\",\"activation_method\":\"some_activation_method\"},\"framework\":"
        + "{\"name\":\"spring\",\"version\":\"5.0.0\"},\"runtime\":{\"name\":\"Java\",\"version\":\"10.0.2\"}},"
        + "\"labels\":{\"group\":\"experimental\",\"ab_testing\":true,\"segment\":5}}}",
        "{\"log\": {\"message\": \"conformance log message with faas\", \"@timestamp\": 1662616049000000,\"faas\":"
            + "{\"coldstart\":true,\"execution\":\"6f7f0961f83442118a7af6fe80b88d56\",\"id\":"
            + "\"arn:aws:lambda:us-east-2:123456789012:function:custom-runtime\"}}}"));
    Conformance.rule(INTAKE, "apm-server systemtest/approvals/TestIntakeLog/with_faas.approved.json")
        .fields("@timestamp", "2022-09-08T05:47:29.000Z", "agent.activation_method", "some_activation_method",
            "agent.ephemeral_id", "e71be9ac", "agent.name", "java", "agent.version", "1.10.0",
            "container.id", "8ec7ceb99074", "data_stream.dataset", "apm.app.logsvc", "data_stream.namespace", "default",
            "data_stream.type", "logs", "event.dataset", "apm.app.logsvc", "event.kind", "event",
            "faas.coldstart", true, "faas.execution", "6f7f0961f83442118a7af6fe80b88d56",
            "faas.id", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime", "host.architecture", "amd64",
            "host.hostname", "node-name", "host.ip", "127.0.0.1", "host.name", "host1", "host.os.platform", "Linux",
            "kubernetes.namespace", "default", "kubernetes.node.name", "node-name",
            "kubernetes.pod.name", "instrumented-java-service", "kubernetes.pod.uid", "b17f231da0ad",
            "labels.ab_testing", "true", "labels.group", "experimental", "message", "conformance log message with faas",
            "numeric_labels.segment", 5, "observer.type", "apm-server", "process.args", "-v", "process.parent.pid", 1,
            "process.pid", 1234, "process.title", "/usr/lib/jvm/java-10-openjdk-amd64/bin/java",
            "service.environment", "production", "service.framework.name", "spring", "service.framework.version", "5.0.0",
            "service.language.name", "Java", "service.language.version", "10.0.2", "service.name", "logsvc",
            "service.node.name", "8ec7ceb99074", "service.runtime.name", "Java", "service.runtime.version", "10.0.2",
            "service.version", "4.3.0")
        .dynamic("observer.hostname", "observer.version", "event.ingested")
        .check(stack.awaitDocuments("message:\"conformance log message with faas\"", 1).get(0));
  }

  // ---------------------------------------------------------------- Lambda: the Elastic agents

  /**
   * The Elastic Node.js agent in a Lambda function (elastic-apm-node lib/lambda.js): cloud metadata
   * for AWS Lambda, faas on the transaction, API Gateway as service and cloud origin. Stored as
   * apm-data decoder.go mapToFAASModel, mapToCloudModel and mapToServiceModel place them.
   */
  @Test
  void elasticNodeAgentLambdaInvocation(ConformanceStack stack) {
    String arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";
    stack.intake(lines("{\"metadata\":{\"service\":{\"name\":\"orders\",\"version\":\"$LATEST\",\"agent\":"
        + "{\"name\":\"nodejs\",\"version\":\"4.7.0\",\"activation_method\":\"env-attach\"},\"language\":"
        + "{\"name\":\"javascript\"},\"runtime\":{\"name\":\"AWS_Lambda_nodejs20.x\",\"version\":\"20.11.1\"},"
        + "\"framework\":{\"name\":\"AWS Lambda\"},\"node\":{\"configured_name\":\"2024/01/01/[$LATEST]abcdef\"}},"
        + "\"process\":{\"pid\":8,\"title\":\"node\"},\"system\":{\"architecture\":\"x64\",\"platform\":\"linux\","
        + "\"detected_hostname\":\"169.254.10.1\"},\"cloud\":{\"provider\":\"aws\",\"region\":\"us-east-1\","
        + "\"service\":{\"name\":\"lambda\"},\"account\":{\"id\":\"123456789012\"}}}}",
        "{\"transaction\":{\"name\":\"GET /dev/ping\",\"type\":\"request\",\"result\":\"HTTP 2xx\",\"outcome\":"
            + "\"success\",\"id\":\"ee00000000000001\",\"trace_id\":\"ee000000000000000000000000000001\",\"parent_id\":"
            + "\"ee00000000000000\",\"duration\":12.5,\"timestamp\":1700000000000000,\"sampled\":true,\"sample_rate\":1,"
            + "\"span_count\":{\"started\":1},\"faas\":{\"id\":\"" + arn + "\",\"name\":\"orders\",\"version\":"
            + "\"$LATEST\",\"coldstart\":true,\"execution\":\"c0ffee00-0000-4000-8000-000000000001\",\"trigger\":"
            + "{\"type\":\"http\",\"request_id\":\"Ab12Cd34\"}},\"context\":{\"service\":{\"origin\":{\"name\":"
            + "\"GET /dev/ping\",\"id\":\"abc123\",\"version\":\"1.0\"}},\"cloud\":{\"origin\":{\"provider\":"
            + "\"aws\",\"service\":{\"name\":\"api gateway\"},\"account\":{\"id\":\"123456789012\"},\"region\":"
            + "\"us-east-1\"}},\"request\":{\"method\":\"GET\",\"headers\":{\"x-forwarded-for\":\"203.0.113.7\"},"
            + "\"url\":{\"protocol\":\"https:\",\"hostname\":\"abc123.execute-api.us-east-1.amazonaws.com\","
            + "\"pathname\":\"/dev/ping\",\"full\":\"https://abc123.execute-api.us-east-1.amazonaws.com/dev/ping\"}},"
            + "\"response\":{\"status_code\":200}}}}"));
    Conformance.rule(INTAKE, "apm-data modeldecoder/v2/decoder.go mapToFAASModel, mapToCloudModel (Elastic Node.js agent lib/lambda.js)")
        .fields("@timestamp", "2023-11-14T22:13:20.000Z", "timestamp.us", 1700000000000000L,
            "agent.name", "nodejs", "agent.version", "4.7.0", "agent.activation_method", "env-attach",
            "cloud.provider", "aws", "cloud.region", "us-east-1", "cloud.service.name", "lambda",
            "cloud.account.id", "123456789012", "cloud.origin.provider", "aws", "cloud.origin.service.name", "api gateway",
            "cloud.origin.account.id", "123456789012", "cloud.origin.region", "us-east-1",
            "data_stream.dataset", "apm", "data_stream.namespace", "default", "data_stream.type", "traces",
            "event.outcome", "success", "event.success_count", 1,
            "faas.id", arn, "faas.name", "orders", "faas.version", "$LATEST", "faas.coldstart", true,
            "faas.execution", "c0ffee00-0000-4000-8000-000000000001", "faas.trigger.type", "http",
            "faas.trigger.request_id", "Ab12Cd34",
            // modelprocessor/hostname.go: no configured name, so host.name is the detected hostname
            "host.architecture", "x64", "host.hostname", "169.254.10.1", "host.name", "169.254.10.1",
            "host.os.platform", "linux", "host.ip", "127.0.0.1",
            // mapToClientModel: the forwarding header names the client
            "client.ip", "203.0.113.7", "source.ip", "203.0.113.7",
            "http.request.headers.X-Forwarded-For", "203.0.113.7", "http.request.method", "GET",
            "http.response.status_code", 200, "observer.type", "apm-server", "parent.id", "ee00000000000000",
            "process.pid", 8, "process.title", "node", "processor.event", "transaction",
            "service.framework.name", "AWS Lambda", "service.language.name", "javascript", "service.name", "orders",
            "service.node.name", "2024/01/01/[$LATEST]abcdef", "service.origin.id", "abc123",
            "service.origin.name", "GET /dev/ping", "service.origin.version", "1.0",
            "service.runtime.name", "AWS_Lambda_nodejs20.x", "service.runtime.version", "20.11.1",
            "service.version", "$LATEST", "span.id", "ee00000000000001", "trace.id", "ee000000000000000000000000000001",
            "transaction.duration.us", 12500, "transaction.id", "ee00000000000001", "transaction.name", "GET /dev/ping",
            "transaction.representative_count", 1, "transaction.result", "HTTP 2xx", "transaction.sampled", true,
            "transaction.span_count.started", 1, "transaction.type", "request",
            "url.domain", "abc123.execute-api.us-east-1.amazonaws.com", "url.full",
            "https://abc123.execute-api.us-east-1.amazonaws.com/dev/ping", "url.path", "/dev/ping", "url.scheme", "https")
        .dynamic("observer.hostname", "observer.version", "event.ingested")
        .check(stack.awaitDocuments("transaction.id:ee00000000000001", 1).get(0));
  }

  /**
   * The Elastic Java agent's AWS Lambda support (apm-agent-java apm-awslambda-plugin): faas with
   * the trigger type "other" for a direct invocation, cloud metadata, and a dotted span type on its
   * spans. Stored as apm-data decoder.go mapToFAASModel / mapToSpanModel place them.
   */
  @Test
  void elasticJavaAgentLambdaInvocation(ConformanceStack stack) {
    String arn = "arn:aws:lambda:eu-west-1:123456789012:function:billing";
    stack.intake(lines("{\"metadata\":{\"service\":{\"name\":\"billing\",\"agent\":{\"name\":\"java\",\"version\":"
        + "\"1.55.1\"},\"language\":{\"name\":\"Java\",\"version\":\"17.0.10\"},\"runtime\":{\"name\":\"Java\","
        + "\"version\":\"17.0.10\"},\"framework\":{\"name\":\"AWS Lambda\"}},\"cloud\":{\"provider\":\"aws\","
        + "\"region\":\"eu-west-1\",\"service\":{\"name\":\"lambda\"}}}}",
        "{\"transaction\":{\"name\":\"billing\",\"type\":\"request\",\"outcome\":\"success\",\"result\":"
            + "\"success\",\"id\":\"ef00000000000001\",\"trace_id\":\"ef000000000000000000000000000001\",\"duration\":"
            + "5.0,\"timestamp\":1700000001000000,\"sampled\":true,\"span_count\":{\"started\":1},\"faas\":{\"id\":\""
            + arn + "\",\"name\":\"billing\",\"version\":\"$LATEST\",\"coldstart\":false,\"execution\":"
            + "\"c0ffee00-0000-4000-8000-000000000002\",\"trigger\":{\"type\":\"other\"}}}}",
        "{\"span\":{\"id\":\"ef00000000000002\",\"transaction_id\":\"ef00000000000001\",\"parent_id\":"
            + "\"ef00000000000001\",\"trace_id\":\"ef000000000000000000000000000001\",\"name\":\"GET localhost\","
            + "\"type\":\"external.http\",\"timestamp\":1700000001001000,\"duration\":2.0,\"outcome\":\"success\","
            + "\"context\":{\"http\":{\"method\":\"GET\",\"url\":\"http://localhost:8080/\",\"status_code\":200},"
            + "\"destination\":{\"address\":\"localhost\",\"port\":8080,\"service\":{\"resource\":\"localhost:8080\"}}}}}"));
    Conformance.rule(INTAKE, "apm-data modeldecoder/v2/decoder.go mapToFAASModel (Elastic Java agent apm-awslambda-plugin)")
        .fields("@timestamp", "2023-11-14T22:13:21.000Z", "timestamp.us", 1700000001000000L,
            "agent.name", "java", "agent.version", "1.55.1", "cloud.provider", "aws", "cloud.region", "eu-west-1",
            "cloud.service.name", "lambda", "data_stream.dataset", "apm", "data_stream.namespace", "default",
            "data_stream.type", "traces", "event.outcome", "success", "event.success_count", 1,
            "faas.id", arn, "faas.name", "billing", "faas.version", "$LATEST", "faas.coldstart", false,
            "faas.execution", "c0ffee00-0000-4000-8000-000000000002", "faas.trigger.type", "other",
            "host.ip", "127.0.0.1", "observer.type", "apm-server", "processor.event", "transaction",
            "service.framework.name", "AWS Lambda", "service.language.name", "Java", "service.language.version", "17.0.10",
            "service.name", "billing", "service.runtime.name", "Java", "service.runtime.version", "17.0.10",
            "span.id", "ef00000000000001", "trace.id", "ef000000000000000000000000000001", "transaction.duration.us", 5000,
            "transaction.id", "ef00000000000001", "transaction.name", "billing", "transaction.representative_count", 1,
            "transaction.result", "success", "transaction.sampled", true, "transaction.span_count.started", 1,
            "transaction.type", "request")
        .dynamic("observer.hostname", "observer.version", "event.ingested")
        .check(stack.awaitDocuments("transaction.id:ef00000000000001", 1).get(0));
    Conformance.rule(INTAKE, "apm-data modeldecoder/v2/decoder.go mapToSpanModel, targetFromDestinationResource")
        .fields("@timestamp", "2023-11-14T22:13:21.001Z", "timestamp.us", 1700000001001000L,
            "agent.name", "java", "agent.version", "1.55.1", "cloud.provider", "aws", "cloud.region", "eu-west-1",
            "cloud.service.name", "lambda", "data_stream.dataset", "apm", "data_stream.namespace", "default",
            "data_stream.type", "traces", "destination.address", "localhost", "destination.port", 8080,
            "event.outcome", "success", "event.success_count", 1, "host.ip", "127.0.0.1",
            "http.request.method", "GET", "http.response.status_code", 200, "observer.type", "apm-server",
            "parent.id", "ef00000000000001", "processor.event", "span", "service.framework.name", "AWS Lambda",
            "service.language.name", "Java", "service.language.version", "17.0.10", "service.name", "billing",
            "service.runtime.name", "Java", "service.runtime.version", "17.0.10", "service.target.name", "localhost:8080",
            "span.destination.service.resource", "localhost:8080", "span.duration.us", 2000, "span.id", "ef00000000000002",
            "span.name", "GET localhost", "span.representative_count", 1, "span.subtype", "http", "span.type", "external",
            "trace.id", "ef000000000000000000000000000001", "transaction.id", "ef00000000000001",
            "url.original", "http://localhost:8080/")
        .dynamic("observer.hostname", "observer.version", "event.ingested")
        .check(stack.awaitDocuments("span.id:ef00000000000002", 1).get(0));
  }

  // ---------------------------------------------------------------- dropped and refused

  /** apm-data model/modelprocessor/dropunsampled.go: unsampled non-RUM transactions are not stored. */
  @Test
  void unsampledTransactionsOfBackendAgentsAreDropped(ConformanceStack stack) throws Exception {
    HttpResponse<String> r = stack.intake(lines(MINIMAL_METADATA,
        "{\"transaction\": {\"trace_id\": \"fa000000000000000000000000000001\", \"id\": \"fa00000000000001\", "
            + "\"type\": \"request\", \"duration\": 1, \"sampled\": false, \"span_count\": {\"started\": 0}}}",
        "{\"transaction\": {\"trace_id\": \"fa000000000000000000000000000002\", \"id\": \"fa00000000000002\", "
            + "\"type\": \"request\", \"duration\": 1, \"sampled\": true, \"span_count\": {\"started\": 0}}}"));
    // both are accepted: APM Server counts decoded events, the drop happens after (beater.go)
    assertThat(r.statusCode()).isEqualTo(202);
    stack.awaitDocuments("transaction.id:fa00000000000002", 1);
    assertThat(stack.documents("transaction.id:fa00000000000001")).isEmpty();
  }

  /** The answers of apm-server internal/beater/api/intake/test_approved/*.approved.json, read as fields. */
  @Test
  void invalidEventsAreAnsweredAsApmServerAnswersThem(ConformanceStack stack) throws Exception {
    String group = "intake v2 answers";
    String invalidEvent = "{ \"transaction\": { \"id\": 12345, \"trace_id\": \"0123456789abcdef0123456789abcdef\", "
        + "\"parent_id\": \"abcdefabcdef01234567\", \"type\": \"request\", \"duration\": 32.592981, "
        + "\"span_count\": { \"started\": 21 } } }   ";
    HttpResponse<String> r = stack.intake(lines(MINIMAL_METADATA, invalidEvent,
        "{\"span\": {\"trace_id\": \"fb000000000000000000000000000001\", \"parent_id\": \"abcdef0123456789\",\"id\": "
            + "\"fb00000000000001\", \"name\": \"GET /api/types\", \"type\": \"request\",\"start\": 0, \"duration\": 141.581 }}"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("connection")).hasValue("close");
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    JsonNode body = Docs.JSON.readTree(r.body());
    // jsoniter's message goes on with the offending bytes; APM Server's approval keeps the part before them
    assertThat(body.at("/errors/0/message").asText())
        .startsWith("decode error: data read error: v2.transactionRoot.Transaction: v2.transaction.ID: ReadString: expects \" or n,");
    ((com.fasterxml.jackson.databind.node.ObjectNode) body.at("/errors/0")).remove("message");
    Conformance.rule(group, "apm-server internal/beater/api/intake/test_approved/InvalidEvent.approved.json")
        .fields("accepted", 1, "errors.document", invalidEvent)
        .check(body);

    answer(stack, group, "InvalidMetadata.approved.json", lines("{\"metadata\": {\"user\": null}}"), 400,
        "validation error: 'metadata' required", "{\"metadata\": {\"user\": null}}");
    answer(stack, group, "InvalidMetadata2.approved.json", lines("{\"not\": \"metadata\"}"), 400,
        "\"metadata\" or \"m\" required", "{\"not\": \"metadata\"}");
    answer(stack, group, "UnrecognizedEvent.approved.json",
        lines(MINIMAL_METADATA, "{\"tennis-court\": {\"name\": \"Centre Court, Wimbledon\"}}"), 400,
        "did not recognize object type: \"tennis-court\"", "{\"tennis-court\": {\"name\": \"Centre Court, Wimbledon\"}}");

    HttpResponse<String> contentType = stack.post("/intake/v2/events", "application/json", lines(MINIMAL_METADATA));
    Conformance.rule(group, "apm-server internal/beater/api/intake/test_approved/ContentType.approved.json")
        .fields("accepted", 0, "errors.message", "invalid content type: 'application/json'")
        .check(Docs.JSON.readTree(contentType.body()));
    assertThat(contentType.statusCode()).isEqualTo(400);

    HttpResponse<String> gzip = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create(stack.apmServer().endpoint() + "/intake/v2/events"))
            .header("Content-Type", "application/x-ndjson").header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofString(lines(MINIMAL_METADATA))).build(),
        HttpResponse.BodyHandlers.ofString());
    Conformance.rule(group, "apm-server internal/beater/api/intake/test_approved/CompressedBodyReaderGzipInvalid.approved.json")
        .fields("accepted", 0, "errors.message", "data decoding error: gzip: invalid header")
        .check(Docs.JSON.readTree(gzip.body()));
    assertThat(gzip.statusCode()).isEqualTo(400);

    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
      out.write(lines(MINIMAL_METADATA).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    HttpResponse<String> sniffed = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create(stack.apmServer().endpoint() + "/intake/v2/events?verbose"))
            .header("Content-Type", "application/x-ndjson").header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
    // request/context.go decodeRequestBody sniffs gzip without a Content-Encoding header
    assertThat(sniffed.statusCode()).isEqualTo(202);
    assertThat(sniffed.headers().firstValue("content-type")).hasValue("application/json");
    Conformance.rule(group, "apm-server internal/beater/api/intake/test_approved/CompressedBodyReaderGzipValid.approved.json")
        .fields("accepted", 0)
        .check(Docs.JSON.readTree(sniffed.body()));
  }

  private static void answer(ConformanceStack stack, String group, String approval, String body, int status,
      String message, String document) throws Exception {
    HttpResponse<String> r = stack.intake(body);
    assertThat(r.statusCode()).as(approval).isEqualTo(status);
    Conformance.rule(group, "apm-server internal/beater/api/intake/test_approved/" + approval)
        .fields("accepted", 0, "errors.message", message, "errors.document", document)
        .check(Docs.JSON.readTree(r.body()));
  }
}
