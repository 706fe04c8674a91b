/**
 * Catzilla's Micrometer meters in a Spring Boot application: the allocator's info meter
 * and Netty's allocator metrics, plus the allocator module's {@code JemallocMeterBinder}
 * (every meter is named once, in {@code CatzillaMeter}).
 */
@NullMarked
package dev.catzilla.autoconfigure.actuate.metrics;

import org.jspecify.annotations.NullMarked;
