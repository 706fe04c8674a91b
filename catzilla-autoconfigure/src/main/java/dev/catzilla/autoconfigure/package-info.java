/**
 * Spring Boot auto-configuration of Catzilla: picks the allocator
 * ({@code catzilla.allocator}), hands it to the Reactor Netty server and clients that
 * Boot, Spring Cloud Gateway and the application build, reports the outcome at startup
 * and explains a failure to start. The actuator parts (endpoint, health, meters) live in
 * {@code dev.catzilla.autoconfigure.actuate}.
 */
@NullMarked
package dev.catzilla.autoconfigure;

import org.jspecify.annotations.NullMarked;
