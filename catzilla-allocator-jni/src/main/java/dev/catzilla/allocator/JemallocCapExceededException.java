package dev.catzilla.allocator;

/**
 * Thrown when an allocation or growth would take the bytes held by an allocator's live
 * buffers beyond its cap ({@link JemallocByteBufAllocator#maxDirectMemory()}). The JVM
 * and jemalloc still have memory: a budget the application set was reached, so this is an
 * ordinary {@link RuntimeException}, not an {@link OutOfMemoryError}. Reactor and Netty
 * treat every {@link VirtualMachineError} as fatal to the JVM (Reactor rethrows it from
 * its operators and logs it with its stack trace, each time); this exception travels as
 * an error signal instead, so a service can answer the request that did not fit
 * (Catzilla's Spring integration answers 503) and go on serving the ones that fit. When
 * jemalloc itself has no memory to give, the allocator still throws an
 * {@link OutOfMemoryError} (Netty's {@code OutOfDirectMemoryError}).
 */
public final class JemallocCapExceededException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final long requested;

	private final long used;

	private final long max;

	JemallocCapExceededException(long requested, long used, long max) {
		super("failed to allocate " + requested + " byte(s) of direct memory from jemalloc (used: " + used + ", max: "
				+ max + ")");
		this.requested = requested;
		this.used = used;
		this.max = max;
	}

	/** Bytes the refused allocation or growth asked for. */
	public long requested() {
		return this.requested;
	}

	/**
	 * Bytes the allocator's live buffers held when the request was refused (the request
	 * not included).
	 */
	public long used() {
		return this.used;
	}

	/** The allocator's cap. */
	public long max() {
		return this.max;
	}

}
