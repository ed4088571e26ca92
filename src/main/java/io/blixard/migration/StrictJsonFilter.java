package io.blixard.migration;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks the JSON body of a write to an Actuator endpoint against the {@link JsonFields} it takes
 * before Actuator reads it (Actuator turns every value into text first, and its conversions would
 * take {@code "yes"} for {@code true}). A body with a value of the wrong type is answered 400 with
 * a {@link TransportsReport.Refusal} naming the field; any other goes on unchanged.
 */
final class StrictJsonFilter extends OncePerRequestFilter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RequestMatcher writes;
  private final JsonFields fields;

  /**
   * @param endpoint the endpoint's requests (of any method: only POST is checked)
   */
  StrictJsonFilter(RequestMatcher endpoint, JsonFields fields) {
    Objects.requireNonNull(endpoint, "endpoint");
    this.writes =
        request -> HttpMethod.POST.matches(request.getMethod()) && endpoint.matches(request);
    this.fields = Objects.requireNonNull(fields, "fields");
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !writes.matches(request);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    byte[] body = request.getInputStream().readAllBytes();
    String refusal = body.length == 0 ? null : refusal(body);
    if (refusal != null) {
      response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      JSON.writeValue(response.getOutputStream(), new TransportsReport.Refusal(refusal));
      return;
    }
    chain.doFilter(new ReadAgain(request, body), response);
  }

  private String refusal(byte[] body) {
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      return "the body is not JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + " (expected: a JSON object)";
    } catch (IOException e) {
      return "the body could not be read (expected: a JSON object)";
    }
    return fields.refusal(tree);
  }

  /** The request with its body, already read, to be read again. */
  private static final class ReadAgain extends HttpServletRequestWrapper {

    private final byte[] body;

    ReadAgain(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("setReadListener: the body is already read");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      return new BufferedReader(
          new InputStreamReader(
              getInputStream(),
              encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
