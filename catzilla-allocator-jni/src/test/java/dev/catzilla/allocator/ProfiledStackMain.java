package dev.catzilla.allocator;

import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Test support, run in a forked JVM by {@link AllocationProfilerTest}: allocates one
 * sampled buffer from a known site three calls deep and prints, as {@code key=value}
 * lines, whether this JVM fills in stack traces of throwables, the sampled site's name
 * and its frames.
 */
public final class ProfiledStackMain {

	private ProfiledStackMain() {
	}

	public static void main(String[] args) {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1).withMaxStackDepth(3))
			.build();
		ByteBuf buffer = outer(allocator);
		List<AllocationProfiler.SiteProfile> sites = allocator.profiler().snapshot().sites();
		System.out.println("throwableTraces=" + (new Throwable().getStackTrace().length > 0));
		System.out.println("sites=" + sites.size());
		System.out.println("site=" + sites.get(0).name());
		System.out
			.println("frames=" + sites.get(0).stack().stream().map(AllocationProfiler.Frame::methodName).toList());
		buffer.release();
		System.out.println("exit=normal");
	}

	private static ByteBuf outer(JemallocByteBufAllocator allocator) {
		return middle(allocator);
	}

	private static ByteBuf middle(JemallocByteBufAllocator allocator) {
		return inner(allocator);
	}

	private static ByteBuf inner(JemallocByteBufAllocator allocator) {
		return allocator.directBuffer(4096);
	}

}
