package dev.catzilla.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.netty.buffer.ByteBufAllocator;

/**
 * The outcome of choosing an allocator: what was requested, which allocator is active,
 * and why. The single source every other Catzilla bean (server and client wiring, meters,
 * endpoint, health) reads. Immutable.
 */
public final class CatzillaAllocator {

	private final AllocatorMode requested;

	private final ActiveAllocator active;

	private final ByteBufAllocator allocator;

	private final String reason;

	private final Throwable unavailabilityCause;

	private final Map<String, String> requestedJemallocOptions;

	/**
	 * @param requested the mode {@code catzilla.allocator} asked for
	 * @param active the allocator that serves buffers
	 * @param allocator the allocator instance handed to Reactor Netty
	 * @param reason one sentence saying why this allocator is active
	 * @param unavailabilityCause why jemalloc could not load, or {@code null}
	 */
	public CatzillaAllocator(AllocatorMode requested, ActiveAllocator active, ByteBufAllocator allocator, String reason,
			Throwable unavailabilityCause) {
		this(requested, active, allocator, reason, unavailabilityCause, Map.of());
	}

	/**
	 * @param requested the mode {@code catzilla.allocator} asked for
	 * @param active the allocator that serves buffers
	 * @param allocator the allocator instance handed to Reactor Netty
	 * @param reason one sentence saying why this allocator is active
	 * @param unavailabilityCause why jemalloc could not load, or {@code null}
	 * @param requestedJemallocOptions the jemalloc options this application context asked
	 * for (option name to value), empty when jemalloc is not active
	 */
	public CatzillaAllocator(AllocatorMode requested, ActiveAllocator active, ByteBufAllocator allocator, String reason,
			Throwable unavailabilityCause, Map<String, String> requestedJemallocOptions) {
		this.requested = Objects.requireNonNull(requested, "requested");
		this.active = Objects.requireNonNull(active, "active");
		this.allocator = Objects.requireNonNull(allocator, "allocator");
		this.reason = Objects.requireNonNull(reason, "reason");
		this.unavailabilityCause = unavailabilityCause;
		this.requestedJemallocOptions = Collections.unmodifiableMap(new LinkedHashMap<>(requestedJemallocOptions));
	}

	public AllocatorMode requested() {
		return this.requested;
	}

	public ActiveAllocator active() {
		return this.active;
	}

	/** The allocator instance Reactor Netty's channels use. */
	public ByteBufAllocator allocator() {
		return this.allocator;
	}

	/**
	 * The allocator's class name, e.g. {@code io.netty.buffer.AdaptiveByteBufAllocator}.
	 */
	public String allocatorClass() {
		return this.allocator.getClass().getName();
	}

	public String reason() {
		return this.reason;
	}

	/**
	 * Why jemalloc could not be loaded, or {@code null} when it was not needed or loaded
	 * fine.
	 */
	public Throwable unavailabilityCause() {
		return this.unavailabilityCause;
	}

	/**
	 * The jemalloc options this application context asked for
	 * ({@code catzilla.jemalloc.*} as jemalloc option names); jemalloc may run with
	 * others if another user of the JVM configured it first.
	 */
	public Map<String, String> requestedJemallocOptions() {
		return this.requestedJemallocOptions;
	}

	public boolean isJemalloc() {
		return this.active == ActiveAllocator.JEMALLOC;
	}

	/**
	 * Whether jemalloc's native library was (attempted to be) loaded: false only for
	 * {@code malloc}.
	 */
	public boolean isNativeLibraryConsidered() {
		return this.requested != AllocatorMode.MALLOC;
	}

	@Override
	public String toString() {
		return "CatzillaAllocator[requested=" + this.requested.id() + ", active=" + this.active.id() + " ("
				+ allocatorClass() + "), reason=" + this.reason + "]";
	}

}
