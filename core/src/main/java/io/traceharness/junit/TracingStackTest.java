package io.traceharness.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the tracing stack, started once per test JVM and shared by every class.
 *
 * <pre>{@code
 * @TracingStackTest
 * class BlogScenarioIT {
 *   @Test
 *   void traced(TracingStack stack) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TracingStackExtension.class)
public @interface TracingStackTest {
}
