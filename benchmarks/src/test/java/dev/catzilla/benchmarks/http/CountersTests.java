package dev.catzilla.benchmarks.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CountersTests {

	@Test
	void jemallocsAnswerGivesEveryCounter() {
		Counters counters = Counters.parse("""
				{"requested":"auto","active":"jemalloc",
				 "jemalloc":{"stats":{"allocated":1867648,"active":1892352,"resident":11763712}},
				 "netty":{"allocatorClass":"dev.catzilla.allocator.JemallocByteBufAllocator","usedDirectMemory":4096,
				          "cachedDirectMemory":411296,"usedHeapMemory":0}}
				""");
		assertThat(counters).isEqualTo(
				new Counters("dev.catzilla.allocator.JemallocByteBufAllocator", 4096, 411296, 1867648, 11763712));
	}

	@Test
	void nettysAllocatorHasNoJemallocCounters() {
		Counters counters = Counters.parse("""
				{"active":"netty","jemalloc":null,
				 "netty":{"allocatorClass":"io.netty.buffer.AdaptiveByteBufAllocator","usedDirectMemory":8388608,
				          "cachedDirectMemory":-1}}
				""");
		assertThat(counters).isEqualTo(new Counters("io.netty.buffer.AdaptiveByteBufAllocator", 8388608, -1, -1, -1));
	}

}
