package dev.catzilla.benchmarks.http;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The allocator's own counters from one {@code GET /actuator/catzilla} answer, in bytes;
 * -1 where the answer has none (e.g. jemalloc's counters when Netty's allocator serves,
 * or the jemalloc that {@code LD_PRELOAD} put under the JVM, which no endpoint can see).
 *
 * @param allocatorClass the class serving the server's channels
 * ({@code netty.allocatorClass})
 * @param nettyUsed memory held by the active allocator for its buffers
 * ({@code netty.usedDirectMemory}): with Catzilla the bytes of live buffers; with Netty's
 * pooled and adaptive allocators the chunks they hold, live or not; with unpooled the
 * live buffers
 * @param nettyCached free blocks Catzilla's event-loop caches keep
 * ({@code netty.cachedDirectMemory})
 * @param jemallocAllocated {@code jemalloc.stats.allocated}
 * @param jemallocResident {@code jemalloc.stats.resident}: what Catzilla's jemalloc adds
 * to RSS
 */
record Counters(String allocatorClass, long nettyUsed, long nettyCached, long jemallocAllocated,
		long jemallocResident) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Reads the counters out of the endpoint's JSON. */
	static Counters parse(String json) {
		JsonNode root = JSON.readTree(json);
		JsonNode netty = root.path("netty");
		JsonNode stats = root.path("jemalloc").path("stats");
		return new Counters(netty.path("allocatorClass").asString(""), bytes(netty.path("usedDirectMemory")),
				bytes(netty.path("cachedDirectMemory")), bytes(stats.path("allocated")), bytes(stats.path("resident")));
	}

	private static long bytes(JsonNode node) {
		return (node.isNumber() && node.longValue() >= 0) ? node.longValue() : -1;
	}

}
