package io.blixard.monitoring;

import java.time.Duration;

/**
 * Readings from the operating system and the JVM, taken when asked. Values the platform does not
 * report are negative (load average, CPU usage) or zero (heap maximum when unbounded).
 */
public record SystemInfo(
    int cpuCount,
    double loadAverage1m,
    double processCpuUsage,
    double systemCpuUsage,
    long memoryUsedBytes,
    long memoryTotalBytes,
    long heapUsedBytes,
    long heapCommittedBytes,
    long heapMaxBytes,
    String dataDir,
    long diskUsedBytes,
    long diskTotalBytes,
    long diskFreeBytes,
    Duration uptime,
    String osName,
    String osArch,
    String jvmVersion,
    int threadCount) {}
