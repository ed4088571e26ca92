package io.blixard.vm;

/**
 * The accelerator this node's guests run under, and why.
 *
 * @param accelerator {@link Accelerator#KVM} or {@link Accelerator#TCG}, never {@code AUTO}
 * @param reason why, in words ("a probe guest under KVM printed no kernel line within PT3S")
 */
public record AcceleratorChoice(Accelerator accelerator, String reason) {}
