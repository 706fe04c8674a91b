package dev.catzilla.autoconfigure;

/**
 * The allocator that actually serves Reactor Netty's buffers.
 */
public enum ActiveAllocator {

	/** Catzilla's {@code JemallocByteBufAllocator}. */
	JEMALLOC("jemalloc"),

	/**
	 * Netty's default allocator ({@code ByteBufAllocator.DEFAULT}: adaptive in Netty 4.2
	 * unless configured).
	 */
	NETTY("netty");

	private final String id;

	ActiveAllocator(String id) {
		this.id = id;
	}

	/** The lower-case name used in logs, tags and the endpoint. */
	public String id() {
		return this.id;
	}

}
