package io.traceharness.lambda;

import java.nio.file.Path;

/**
 * One version of a function's code and configuration as laid out on disk. Instances started from an
 * older deployment are retired once their current invocation ends, as Lambda replaces execution
 * environments after an update.
 */
record Deployment(FunctionConfig config, int generation, Path taskRoot, Path optDir) {
}
