package io.traceharness.lambda;

/**
 * Options of an in-process invoke, matching the {@code Invoke} API's headers.
 *
 * <pre>{@code
 * InvokeResult r = emulator.invoke("consumer", body, InvokeOptions.builder()
 *     .traceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
 *     .tailLog(true)
 *     .build());
 * }</pre>
 *
 * @param clientContext client context JSON ({@code X-Amz-Client-Context} decoded), or {@code null}
 * @param traceHeader an upstream X-Ray header ({@code X-Amzn-Trace-Id}), or {@code null}
 * @param tailLog {@code LogType: Tail}: return the last 4 KB of the invocation's log
 */
public record InvokeOptions(String clientContext, String traceHeader, boolean tailLog) {

  private static final InvokeOptions DEFAULTS = new InvokeOptions(null, null, false);

  public static InvokeOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String clientContext;
    private String traceHeader;
    private boolean tailLog;

    private Builder() {
    }

    public Builder clientContext(String json) {
      this.clientContext = json;
      return this;
    }

    public Builder traceHeader(String xrayHeader) {
      this.traceHeader = xrayHeader;
      return this;
    }

    public Builder tailLog(boolean tail) {
      this.tailLog = tail;
      return this;
    }

    public InvokeOptions build() {
      return new InvokeOptions(clientContext, traceHeader, tailLog);
    }
  }
}
