/**
 * The {@code catzilla} actuator endpoint: {@code /actuator/catzilla} (the allocator,
 * jemalloc's statistics and ratios, the purge), and its parts {@code profile},
 * {@code doctor} and {@code statistics}.
 */
@NullMarked
package dev.catzilla.autoconfigure.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
