package io.blixard.vm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An asynchronous QMP event: {@code {"event": "SHUTDOWN", "data": {"guest": true, "reason":
 * "guest-shutdown"}, "timestamp": {"seconds": 1796419321, "microseconds": 755881}}}.
 *
 * @param name the event's name (SHUTDOWN, POWERDOWN, STOP, RESUME, RESET, ...)
 * @param data its data; an empty object when the event has none
 * @param timestamp when QEMU emitted it
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp) {}
