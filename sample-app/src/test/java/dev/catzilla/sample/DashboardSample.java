package dev.catzilla.sample;

import java.util.ArrayList;
import java.util.List;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocCapExceededException;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The sample app as {@link GrafanaDashboardTests} runs it in its own JVM, with three
 * test-only routes that make what a dashboard panel shows happen on demand (registered by
 * an initializer, not by component scanning, so the sample's other tests never see them):
 * <ul>
 * <li>{@code GET /provoke/hold?kib=N}: allocates N KiB in 64 KiB buffers from Catzilla's
 * allocator and keeps them, so the profile has a live site besides {@code other};</li>
 * <li>{@code GET /provoke/leak?buffers=N}: allocates N 64 KiB buffers, drops them without
 * {@code release()} and runs the garbage collector, so the sampled ones are reported as
 * leaks;</li>
 * <li>{@code GET /provoke/refuse}: asks for one buffer larger than the cap, which is
 * refused; answers the allocator's count of refusals.</li>
 * </ul>
 */
public final class DashboardSample {

	private static final int BUFFER = 64 * 1024;

	private static final List<ByteBuf> held = new ArrayList<>();

	private DashboardSample() {
	}

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addInitializers((context) -> ((GenericApplicationContext) context)
			.registerBean("dashboardProvocations", RouterFunction.class, () -> routes(context)));
		application.run(args);
	}

	private static RouterFunction<ServerResponse> routes(ApplicationContext context) {
		return RouterFunctions.route().GET("/provoke/hold", (request) -> {
			int kib = Integer.parseInt(request.queryParam("kib").orElse("8192"));
			JemallocByteBufAllocator allocator = allocator(context);
			synchronized (held) {
				for (int i = 0; i < kib / 64; i++) {
					held.add(allocator.directBuffer(BUFFER));
				}
				return ServerResponse.ok().bodyValue("holding " + held.size() + " buffers of 64 KiB");
			}
		}).GET("/provoke/leak", (request) -> {
			int buffers = Integer.parseInt(request.queryParam("buffers").orElse("64"));
			JemallocByteBufAllocator allocator = allocator(context);
			return Mono.fromCallable(() -> {
				leak(allocator, buffers);
				for (int i = 0; i < 3; i++) {
					System.gc();
					Thread.sleep(100);
				}
				return "dropped " + buffers + " buffers without release(); leaks reported so far: "
						+ allocator.profiler().leaks().count();
			}).subscribeOn(Schedulers.boundedElastic()).flatMap((body) -> ServerResponse.ok().bodyValue(body));
		}).GET("/provoke/refuse", (request) -> {
			JemallocByteBufAllocator allocator = allocator(context);
			int tooLarge = (int) Math.min(Integer.MAX_VALUE - 8, allocator.maxDirectMemory() + 1);
			try {
				allocator.directBuffer(tooLarge).release();
				return ServerResponse.status(500).bodyValue("a buffer of " + tooLarge + " bytes was not refused");
			}
			catch (JemallocCapExceededException ex) {
				return ServerResponse.ok().bodyValue(Long.toString(allocator.refusedAllocations()));
			}
		}).build();
	}

	private static void leak(JemallocByteBufAllocator allocator, int buffers) {
		for (int i = 0; i < buffers; i++) {
			allocator.directBuffer(BUFFER).writeInt(i);
		}
	}

	private static JemallocByteBufAllocator allocator(ApplicationContext context) {
		if (context.getBean(CatzillaAllocator.class).allocator() instanceof JemallocByteBufAllocator jemalloc) {
			return jemalloc;
		}
		throw new IllegalStateException(
				"Catzilla's jemalloc does not serve this sample: " + context.getBean(CatzillaAllocator.class).active());
	}

}
