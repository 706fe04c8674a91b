package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Micrometer's {@link NettyAllocatorMetrics} works on the allocator unchanged. */
class JemallocByteBufAllocatorMetricsTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void nettyAllocatorMetricsReportsDirectAndHeapMemory() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new NettyAllocatorMetrics(allocator).bindTo(registry);
		Gauge direct = registry.get("netty.allocator.memory.used").tag("memory.type", "direct").gauge();
		Gauge heap = registry.get("netty.allocator.memory.used").tag("memory.type", "heap").gauge();
		assertThat(direct.getId().getTag("allocator.type")).isEqualTo("JemallocByteBufAllocator");
		assertThat(direct.value()).isZero();
		ByteBuf directBuf = allocator.directBuffer(4096);
		ByteBuf heapBuf = allocator.heapBuffer(1000);
		assertThat(direct.value()).isEqualTo(4096);
		assertThat(heap.value()).isEqualTo(1000);
		directBuf.release();
		heapBuf.release();
		assertThat(direct.value()).isZero();
		assertThat(heap.value()).isZero();
	}

}
