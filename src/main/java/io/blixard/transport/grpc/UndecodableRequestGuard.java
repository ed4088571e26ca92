package io.blixard.transport.grpc;

import io.blixard.rpc.UndecodableRequests;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses request messages where a failure can be answered: grpc-java parses them before any
 * interceptor or handler sees them and turns a message that does not parse into {@code UNKNOWN
 * "Application error processing RPC"}, with a stack trace logged at ERROR for every call. A guarded
 * service's methods take their requests unparsed; the guard parses each one as the call's listener
 * receives it and answers a failure as {@link UndecodableRequests} says (INVALID_ARGUMENT, as over
 * QUIC). The service and the interceptors around it see typed messages as before; one whose request
 * did not parse sees its call cancelled.
 */
final class UndecodableRequestGuard {

  /** Hands the message stream over as it is; the guard parses it before the stream is closed. */
  private static final MethodDescriptor.Marshaller<InputStream> UNPARSED =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream;
        }
      };

  private UndecodableRequestGuard() {}

  /** {@code definition} with every method's requests parsed by the guard. */
  static ServerServiceDefinition guard(
      ServerServiceDefinition definition, UndecodableRequests undecodable) {
    Objects.requireNonNull(undecodable, "undecodable");
    ServiceDescriptor original = definition.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<InputStream, ?>> methods = new ArrayList<>();
    for (MethodDescriptor<?, ?> method : original.getMethods()) {
      ServerMethodDefinition<InputStream, ?> guarded =
          guard(definition.getMethod(method.getFullMethodName()), undecodable);
      descriptor.addMethod(guarded.getMethodDescriptor());
      methods.add(guarded);
    }
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<InputStream, RespT> guard(
      ServerMethodDefinition<ReqT, RespT> definition, UndecodableRequests undecodable) {
    MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
    ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(
        method.toBuilder(UNPARSED, method.getResponseMarshaller()).build(),
        (call, headers) -> new ParsingCall<>(call, method, undecodable).start(handler, headers));
  }

  /**
   * The typed call the service sees, over the unparsed one the transport has. Once a request has
   * failed to parse, the call is closed and nothing the service does reaches the transport.
   */
  private static final class ParsingCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {

    private final ServerCall<InputStream, RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;
    private final UndecodableRequests undecodable;
    // Held while writing to the call, so that the refusal never races a write of the service.
    private final Object lock = new Object();
    private volatile boolean refused;
    // Guarded by lock.
    private boolean closed;

    ParsingCall(
        ServerCall<InputStream, RespT> call,
        MethodDescriptor<ReqT, RespT> method,
        UndecodableRequests undecodable) {
      this.call = call;
      this.method = method;
      this.undecodable = undecodable;
    }

    ServerCall.Listener<InputStream> start(ServerCallHandler<ReqT, RespT> handler, Metadata h) {
      ServerCall.Listener<ReqT> listener = handler.startCall(this, h);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(InputStream message) {
          if (refused) {
            return;
          }
          ReqT request;
          try {
            request = method.parseRequest(message);
          } catch (RuntimeException e) {
            refuse(e);
            listener.onCancel();
            return;
          }
          listener.onMessage(request);
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            listener.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          if (!refused) {
            listener.onCancel();
          }
        }

        @Override
        public void onComplete() {
          if (!refused) {
            listener.onComplete();
          }
        }

        @Override
        public void onReady() {
          if (!refused) {
            listener.onReady();
          }
        }
      };
    }

    private void refuse(RuntimeException error) {
      undecodable.refused(method, error);
      synchronized (lock) {
        refused = true;
        if (!closed) {
          closed = true;
          call.close(UndecodableRequests.status(method, error), new Metadata());
        }
      }
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      synchronized (lock) {
        if (!refused) {
          call.sendHeaders(headers);
        }
      }
    }

    @Override
    public void sendMessage(RespT message) {
      synchronized (lock) {
        if (!refused) {
          call.sendMessage(message);
        }
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      synchronized (lock) {
        if (!refused) {
          closed = true;
          call.close(status, trailers);
        }
      }
    }

    @Override
    public boolean isCancelled() {
      return refused || call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return !refused && call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
