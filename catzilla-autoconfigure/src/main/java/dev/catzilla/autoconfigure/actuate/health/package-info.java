/**
 * The {@code catzilla} health indicator: the allocator that serves, and a warning near
 * the native memory cap.
 */
@NullMarked
package dev.catzilla.autoconfigure.actuate.health;

import org.jspecify.annotations.NullMarked;
