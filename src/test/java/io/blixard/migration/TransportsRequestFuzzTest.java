package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.TransportMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.convert.ConversionServiceParameterValueMapper;
import org.springframework.boot.actuate.endpoint.invoke.reflect.OperationMethod;
import org.springframework.boot.actuate.endpoint.invoke.reflect.ReflectiveOperationInvoker;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * Fuzzes the body of a write to {@code /actuator/transports} along the path Actuator's web layer
 * takes: the JSON read into a map of strings, the values converted to the operation's parameters by
 * Actuator's own invoker, then {@link TransportsEndpoint#update}. Any body ends as a 200 with the
 * new strategy or a 400 (body not JSON, a value that does not convert, or a refusal naming the
 * field); a 400 leaves the strategy as it was, a 200 makes exactly one new valid version.
 * Regression inputs: {@code TransportsRequestFuzzTestInputs/update/}.
 */
class TransportsRequestFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> BODY = new TypeReference<>() {};
  private static final Method UPDATE;

  static {
    // Every accepted change is logged at INFO: not millions of times.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MigrationStrategyHolder.class))
        .setLevel(Level.WARN);
    try {
      UPDATE =
          TransportsEndpoint.class.getMethod(
              "update", String.class, Integer.class, Boolean.class, String.class, Boolean.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MigrationStrategyHolder strategies =
      new MigrationStrategyHolder(MigrationStrategy.defaults(), registry);
  private final ReflectiveOperationInvoker invoker =
      new ReflectiveOperationInvoker(
          new TransportsEndpoint(
              TransportMode.DUAL, strategies, new ServiceCatalogue(List.of()), registry),
          new OperationMethod(UPDATE, OperationType.WRITE),
          new ConversionServiceParameterValueMapper());

  @FuzzTest(maxExecutions = 1_000_000, maxDuration = "10m")
  void update(byte[] body) {
    MigrationStrategyHolder.Versioned before = strategies.versioned();
    Map<String, String> arguments;
    try {
      arguments = JSON.readValue(body, BODY);
    } catch (MismatchedInputException e) {
      // Not an object of scalars (or empty): Spring MVC answers 400.
      assertUnchanged(before);
      return;
    } catch (JsonProcessingException e) {
      assertUnchanged(before);
      return;
    } catch (java.io.IOException e) {
      throw new AssertionError("reading a byte array", e);
    }
    Object result;
    try {
      result =
          invoker.invoke(
              new InvocationContext(
                  SecurityContext.NONE, new HashMap<>(arguments == null ? Map.of() : arguments)));
    } catch (InvalidEndpointRequestException e) {
      // Actuator answers 400 with the reason.
      assertThat(e.getReason()).isNotBlank();
      assertUnchanged(before);
      return;
    }
    assertThat(result).isInstanceOf(WebEndpointResponse.class);
    WebEndpointResponse<?> response = (WebEndpointResponse<?>) result;
    if (response.getStatus() == WebEndpointResponse.STATUS_BAD_REQUEST) {
      assertThat(response.getBody()).isInstanceOf(TransportsReport.Refusal.class);
      assertThat(((TransportsReport.Refusal) response.getBody()).error()).isNotBlank();
      assertUnchanged(before);
      return;
    }
    assertThat(response.getStatus()).isEqualTo(WebEndpointResponse.STATUS_OK);
    assertThat(response.getBody()).isInstanceOf(TransportsReport.class);
    MigrationStrategyHolder.Versioned after = strategies.versioned();
    assertThat(after.source()).isEqualTo(MigrationStrategyHolder.Source.OVERRIDE);
    assertThat(after.changedBy()).isEqualTo("actuator");
    String service = arguments.get("service");
    String share = arguments.get("quicShare");
    if (service != null && share != null) {
      int percent = after.strategy().quicSharePercent(service);
      assertThat(percent).isBetween(0, 100);
      if (share.matches("[0-9]{1,3}")) {
        assertThat(percent).isEqualTo(Integer.parseInt(share));
      }
    }
    // Back to where every input starts, so that inputs do not depend on each other.
    strategies.reset("fuzz");
  }

  private void assertUnchanged(MigrationStrategyHolder.Versioned before) {
    assertThat(strategies.versioned()).as("strategy after a refused body").isSameAs(before);
  }
}
