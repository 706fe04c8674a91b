package dev.catzilla.autoconfigure;

/**
 * Which allocator {@code catzilla.allocator} asks for. Bound leniently, so
 * {@code jemalloc}, {@code JEMALLOC} and {@code CATZILLA_ALLOCATOR=jemalloc} all work.
 */
public enum AllocatorMode {

	/**
	 * jemalloc when its native library loads, otherwise Netty's default allocator (the
	 * reason is logged).
	 */
	AUTO,

	/**
	 * jemalloc or nothing: the application fails to start when the native library cannot
	 * load.
	 */
	JEMALLOC,

	/** Netty's default allocator; Catzilla's native library is never loaded. */
	MALLOC;

	/** The lower-case name used in properties, logs, tags and the endpoint. */
	public String id() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
