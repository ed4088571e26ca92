/**
 * The migration strategy: which transport each service prefers while a cluster moves from gRPC to
 * QUIC, where each service is served, and the {@code /actuator/transports} endpoint that reads and
 * changes it at run time. {@link io.blixard.migration.ServedOnInterceptor} refuses calls on a
 * transport the strategy does not serve a service on, as a link of the server interceptor chain
 * that both transports apply, with the answer {@link io.blixard.migration.ServedOnRefusal}
 * describes (clients recognise it as a call that never ran). The endpoint's writes take strict JSON
 * ({@link io.blixard.migration.StrictJsonFilter}): a boolean is a JSON boolean, a number a JSON
 * number.
 *
 * <p>May use: {@code transport} (the transport names and mode), {@code rpc} (the catalogue and
 * service names and how input is echoed), Micrometer, Spring MVC's servlet filters, Jackson.
 */
package io.blixard.migration;
