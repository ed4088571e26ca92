package io.blixard.vm;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A VM's observed state at one moment.
 *
 * @param state what QEMU is doing
 * @param reason why it is in that state, in words ("guest powered off", "QEMU was killed by signal
 *     9 (SIGKILL) without a shutdown"); empty while running
 * @param since when it entered that state
 * @param bootTime from launch to the guest's ready line on the serial console; empty until the line
 *     appears, and for a VM attached to after it booted
 * @param ready whether the serial log holds the guest's ready line
 */
public record VmStatus(
    VmState state, String reason, Instant since, Optional<Duration> bootTime, boolean ready) {}
