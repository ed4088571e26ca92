package io.blixard.node;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of this node: where it keeps its state and how other nodes reach it.
 *
 * @param dataDir Directory that holds the node's key pair, certificate and Raft log. Created on
 *     first start.
 * @param advertiseHost Host name or IP address that other nodes and clients use to reach this node;
 *     written into the cluster registry next to each port.
 * @param minFreeDiskSpace Free space on the data directory's file system below which the storage
 *     check reports DOWN.
 */
@Validated
@ConfigurationProperties("blixard.node")
public record NodeProperties(
    @DefaultValue("data") @NotNull Path dataDir,
    @DefaultValue("127.0.0.1") @NotBlank String advertiseHost,
    @DefaultValue("64MB") @NotNull DataSize minFreeDiskSpace) {}
