package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code telemetryapi} receiver's log records, against the cases of opentelemetry-lambda's
 * {@code collector/receiver/telemetryapireceiver/receiver_test.go} ({@code TestCreateLogs},
 * {@code TestCreateLogsWithLogReport}, {@code TestCreatePlatformMessage}, {@code TestSeverityTextToNumber})
 * and the resource of {@code newTelemetryAPIReceiver}.
 */
class TelemetryApiLogsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = "2022-10-12T00:03:50.000Z";
  private static final long T_NANOS = Instant.parse(T).getEpochSecond() * 1_000_000_000L;

  private static JsonNode events(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  private static List<LogRecord> logs(TelemetryApiLogs mapper, String json) throws Exception {
    ExportLogsServiceRequest r = mapper.createLogs(events(json), Instant.now());
    assertThat(r.getResourceLogsCount()).isEqualTo(1);
    assertThat(r.getResourceLogs(0).getScopeLogsCount()).isEqualTo(1);
    assertThat(r.getResourceLogs(0).getScopeLogs(0).getScope().getName()).isEqualTo(TelemetryApiLogs.SCOPE);
    return r.getResourceLogs(0).getScopeLogs(0).getLogRecordsList();
  }

  private static TelemetryApiLogs mapper(boolean logReport) {
    return new TelemetryApiLogs(Map.of(), null, logReport);
  }

  private static Map<String, AnyValue> attributes(LogRecord r) {
    Map<String, AnyValue> m = new LinkedHashMap<>();
    for (KeyValue kv : r.getAttributesList()) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  private static String attr(LogRecord r, String key) {
    AnyValue v = attributes(r).get(key);
    return v == null ? null : v.getStringValue();
  }

  @Test
  void functionTextLineIsTheBodyWithoutRequestIdOutsideAnInvocation() throws Exception {
    LogRecord r = logs(mapper(true), "[{'time':'" + T + "','type':'function','record':'[INFO] Hello world, I am an extension!'}]")
        .get(0);
    assertThat(attr(r, "type")).isEqualTo("function");
    assertThat(r.getTimeUnixNano()).isEqualTo(T_NANOS);
    assertThat(r.getObservedTimeUnixNano()).isPositive();
    assertThat(r.getBody().getStringValue()).isEqualTo("[INFO] Hello world, I am an extension!");
    assertThat(attributes(r)).doesNotContainKey("faas.invocation_id");
    assertThat(r.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED);
    assertThat(r.getSeverityText()).isEmpty();
  }

  @Test
  void textLinesBetweenStartAndRuntimeDoneCarryTheRequestId() throws Exception {
    TelemetryApiLogs mapper = mapper(true);
    List<LogRecord> records = logs(mapper, "["
        + "{'time':'" + T + "','type':'platform.start','record':{'requestId':'34472c47-5ff0-4df5-a9ad-03776afa5473'}},"
        + "{'time':'" + T + "','type':'function','record':'[INFO] Hello world, I am an extension!'},"
        + "{'time':'" + T + "','type':'platform.runtimeDone','record':{}}]");
    assertThat(records).extracting(r -> attr(r, "type"))
        .containsExactly("platform.start", "function", "platform.runtimeDone");
    assertThat(records).allSatisfy(r ->
        assertThat(attr(r, "faas.invocation_id")).isEqualTo("34472c47-5ff0-4df5-a9ad-03776afa5473"));
    // no version known: the platform records have no body
    assertThat(records.get(0).hasBody()).isFalse();
    assertThat(records.get(2).hasBody()).isFalse();
    // after platform.runtimeDone the request is over
    LogRecord later = logs(mapper, "[{'time':'" + T + "','type':'function','record':'late line'}]").get(0);
    assertThat(attributes(later)).doesNotContainKey("faas.invocation_id");
  }

  @Test
  void functionJsonRecordGivesMessageSeverityTimestampAndRequestId() throws Exception {
    LogRecord r = logs(mapper(true), "[{'time':'2022-10-12T00:03:51.000Z','type':'function','record':{"
        + "'timestamp':'" + T + "','level':'INFO','requestId':'79b4f56e-95b1-4643-9700-2807f4e68189',"
        + "'message':'Hello world, I am a function!'}}]").get(0);
    assertThat(r.getBody().getStringValue()).isEqualTo("Hello world, I am a function!");
    assertThat(attr(r, "faas.invocation_id")).isEqualTo("79b4f56e-95b1-4643-9700-2807f4e68189");
    assertThat(r.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO);
    assertThat(r.getSeverityText()).isEqualTo("Info");
    // the record's timestamp wins over the event's time
    assertThat(r.getTimeUnixNano()).isEqualTo(T_NANOS);
    assertThat(attributes(r).keySet()).containsExactly("type", "faas.invocation_id");
  }

  @Test
  void extraFieldsBecomeAttributesAsPdataFromRawConvertsThem() throws Exception {
    LogRecord r = logs(mapper(true), "[{'time':'" + T + "','type':'function','record':{"
        + "'timestamp':'" + T + "','level':'INFO','requestId':'r1','message':'with extra data',"
        + "'extraString':'stringValue','extraNumber':2217,'extraFloat':3.14,'extraBoolean':true,'extraNull':null,"
        + "'extraArrayOfMixedTypes':['stringValue',2217,true,null],"
        + "'extraObject':{'stringValue':'stringValue','numberValue':2217},"
        + "'type':'override'}}]").get(0);
    Map<String, AnyValue> a = attributes(r);
    assertThat(a.get("extraString").getStringValue()).isEqualTo("stringValue");
    // JSON numbers decode to float64 in Go: doubles, also for integers
    assertThat(a.get("extraNumber").getDoubleValue()).isEqualTo(2217.0);
    assertThat(a.get("extraFloat").getDoubleValue()).isEqualTo(3.14);
    assertThat(a.get("extraBoolean").getBoolValue()).isTrue();
    assertThat(a.get("extraNull").getValueCase()).isEqualTo(AnyValue.ValueCase.VALUE_NOT_SET);
    assertThat(a.get("extraArrayOfMixedTypes").getArrayValue().getValuesList()).extracting(AnyValue::getValueCase)
        .containsExactly(AnyValue.ValueCase.STRING_VALUE, AnyValue.ValueCase.DOUBLE_VALUE,
            AnyValue.ValueCase.BOOL_VALUE, AnyValue.ValueCase.VALUE_NOT_SET);
    assertThat(a.get("extraObject").getKvlistValue().getValuesList()).extracting(KeyValue::getKey)
        .containsExactly("stringValue", "numberValue");
    // reserved fields stay the receiver's: type is the event's
    assertThat(attr(r, "type")).isEqualTo("function");
  }

  @Test
  void unknownLevelIsUnspecifiedWithItsName() throws Exception {
    LogRecord r = logs(mapper(true), "[{'time':'" + T + "','type':'extension','record':{'timestamp':'" + T
        + "','level':'anything','requestId':'r','message':'Hello world, I am an extension!'}}]").get(0);
    assertThat(r.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED);
    assertThat(r.getSeverityText()).isEqualTo("Unspecified");
  }

  @Test
  void severityNamesFollowSeverityTextToNumber() {
    assertThat(TelemetryApiLogs.severityName(SeverityNumber.SEVERITY_NUMBER_WARN3)).isEqualTo("Warn3");
    assertThat(TelemetryApiLogs.severityName(SeverityNumber.SEVERITY_NUMBER_FATAL)).isEqualTo("Fatal");
  }

  @Test
  void levelsAreCaseInsensitiveAndKnowTheAliases() throws Exception {
    List<LogRecord> records = logs(mapper(true), "["
        + "{'time':'" + T + "','type':'function','record':{'level':'warning','message':'a'}},"
        + "{'time':'" + T + "','type':'function','record':{'level':'CRITICAL','message':'b'}},"
        + "{'time':'" + T + "','type':'function','record':{'level':'all','message':'c'}},"
        + "{'time':'" + T + "','type':'function','record':{'level':'Error4','message':'d'}}]");
    assertThat(records).extracting(LogRecord::getSeverityNumber).containsExactly(SeverityNumber.SEVERITY_NUMBER_WARN,
        SeverityNumber.SEVERITY_NUMBER_FATAL, SeverityNumber.SEVERITY_NUMBER_TRACE, SeverityNumber.SEVERITY_NUMBER_ERROR4);
  }

  @Test
  void aTimeThatDoesNotParseDropsTheBatch() {
    assertThatThrownBy(() -> mapper(true).createLogs(events("[{'time':'invalid','type':'function','record':'x'}]"),
        Instant.now())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid");
  }

  @Test
  void platformReportOnlyWithLogReport() throws Exception {
    String report = "[{'time':'" + T + "','type':'platform.report','record':{'requestId':'test-request-id-123',"
        + "'metrics':{'durationMs':123.45,'billedDurationMs':124,'memorySizeMB':512,'maxMemoryUsedMB':256}}}]";
    assertThat(logs(mapper(false), report)).isEmpty();
    LogRecord r = logs(mapper(true), report).get(0);
    assertThat(r.getBody().getStringValue()).isEqualTo("REPORT RequestId: test-request-id-123 Duration: 123.45 ms"
        + " Billed Duration: 124 ms Memory Size: 512 MB Max Memory Used: 256 MB");
    String failed = report.replace("'metrics'", "'status':'failure','metrics'");
    assertThat(logs(mapper(true), failed).get(0).getBody().getStringValue()).endsWith(" Max Memory Used: 256 MB Status: failure");
    // a report that is not a map keeps its text
    assertThat(logs(mapper(true), "[{'time':'" + T + "','type':'platform.report','record':'invalid record format'}]")
        .get(0).getBody().getStringValue()).isEqualTo("invalid record format");
  }

  @Test
  void platformMessagesAsCreatePlatformMessageWritesThem() throws Exception {
    assertThat(message("test-request-id", "$LATEST", "platform.start", "{}"))
        .isEqualTo("START RequestId: test-request-id Version: $LATEST");
    assertThat(message("test-request-id", "v1.0.0", "platform.runtimeDone", "{}"))
        .isEqualTo("END RequestId: test-request-id Version: v1.0.0");
    assertThat(message("", "", "platform.initStart", "{'runtimeVersion':'python:3.9',"
        + "'runtimeVersionArn':'arn:aws:lambda:us-east-1::runtime:python:3.9'}"))
        .isEqualTo("INIT_START Runtime Version: python:3.9 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:python:3.9");
    assertThat(message("", "", "platform.initStart", "{'runtimeVersion':'nodejs:18'}"))
        .isEqualTo("INIT_START Runtime Version: nodejs:18 Runtime Version ARN: ");
    assertThat(message("", "", "platform.initRuntimeDone", "{'status':'failure'}"))
        .isEqualTo("INIT_RUNTIME_DONE Status: failure");
    assertThat(message("", "", "platform.initReport", "{'initializationType':'on-demand','phase':'init',"
        + "'status':'success','metrics':{'durationMs':250.75}}"))
        .isEqualTo("INIT_REPORT Initialization Type: on-demand Phase: init Status: success Duration: 250.75 ms");
    assertThat(message("", "", "platform.initReport", "{'initializationType':'on-demand'}"))
        .isEqualTo("INIT_REPORT Initialization Type: on-demand Phase:  Status:  Duration: 0.00 ms");
    assertThat(message("", "", "platform.restoreReport", "{'status':'success','metrics':{'durationMs':0.0}}"))
        .isEqualTo("RESTORE_REPORT Status: success Duration: 0.00 ms");
    assertThat(message("", "", "platform.restoreReport", "{'status':'','metrics':{'durationMs':50.25}}")).isEmpty();
    assertThat(message("", "", "platform.telemetrySubscription", "{'name':'my-extension','types':['platform','function']}"))
        .isEqualTo("TELEMETRY: my-extension Subscribed Types: [platform function]");
    assertThat(message("", "", "platform.extension", "{'name':'my-extension','state':'Ready','events':['INVOKE','SHUTDOWN']}"))
        .isEqualTo("EXTENSION Name: my-extension State: Ready Events: [INVOKE SHUTDOWN]");
    assertThat(message("", "", "platform.logsDropped", "{'droppedRecords':10,'droppedBytes':1024,"
        + "'reason':'Consumer is too slow'}"))
        .isEqualTo("LOGS_DROPPED DroppedRecords: 10 DroppedBytes: 1024 Reason: Consumer is too slow");
  }

  private static String message(String requestId, String version, String type, String record) throws Exception {
    return TelemetryApiLogs.platformMessage(requestId, version, type, events(record));
  }

  @Test
  void startAndEndBodiesUseTheVersionOfInitStartOrStart() throws Exception {
    List<LogRecord> records = logs(mapper(true), "["
        + "{'time':'" + T + "','type':'platform.initStart','record':{'functionVersion':'$LATEST'}},"
        + "{'time':'" + T + "','type':'platform.start','record':{'requestId':'req-1'}},"
        + "{'time':'" + T + "','type':'platform.runtimeDone','record':{'requestId':'req-1','status':'success'}}]");
    assertThat(records).extracting(r -> r.getBody().getStringValue()).containsExactly("",
        "START RequestId: req-1 Version: $LATEST", "END RequestId: req-1 Version: $LATEST");
  }

  @Test
  void resourceOfTheExtensionsEnvironment() {
    var resource = TelemetryApiLogs.resource(Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512", "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", "AWS_REGION", "eu-west-1"),
        "instance-1");
    Map<String, String> attrs = new LinkedHashMap<>();
    resource.getAttributesList().forEach(kv -> attrs.put(kv.getKey(), kv.getValue().getStringValue()));
    assertThat(attrs).containsExactlyInAnyOrderEntriesOf(Map.of("faas.invoked_provider", "aws", "service.name", "orders",
        "faas.name", "orders", "service.instance.id", "instance-1", "faas.max_memory", "512", "faas.version", "$LATEST",
        "faas.invoked_region", "eu-west-1"));
    var named = TelemetryApiLogs.resource(Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders", "OTEL_SERVICE_NAME", "shop"), null);
    assertThat(named.getAttributesList()).filteredOn(kv -> kv.getKey().equals("service.name")).singleElement()
        .extracting(kv -> kv.getValue().getStringValue()).isEqualTo("shop");
    var outside = TelemetryApiLogs.resource(Map.of(), null);
    assertThat(outside.getAttributesList()).extracting(KeyValue::getKey)
        .containsExactly("faas.invoked_provider", "service.name");
  }

  @Test
  void noTraceOrSpanIdsEvenWhenTheLineCarriesThem() throws Exception {
    LogRecord r = logs(mapper(true), "[{'time':'" + T + "','type':'function','record':"
        + "'2022-10-12T00:03:50.000Z\\tr-1\\tINFO\\ttraceparent 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'}]")
        .get(0);
    assertThat(r.getTraceId().isEmpty()).isTrue();
    assertThat(r.getSpanId().isEmpty()).isTrue();
  }
}
