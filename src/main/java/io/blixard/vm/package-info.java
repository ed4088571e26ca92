/**
 * The VM host: what runs real QEMU guests on this node. The guest's description ({@link
 * io.blixard.vm.VmSpec}), the launcher that starts QEMU with a QMP socket, serial log and pid file
 * per VM under the data directory and re-attaches to one still running after a restart ({@link
 * io.blixard.vm.QemuLauncher}), the supervised process and its observed state ({@link
 * io.blixard.vm.VmProcess}), the QMP client, accelerator detection, the host's preconditions and
 * the {@code vms} health indicator.
 *
 * <p>May use: {@code node}, Jackson. Never a transport, the cluster's Raft engine or generated
 * protos: the VM service and the reconciler build on these classes.
 */
package io.blixard.vm;
