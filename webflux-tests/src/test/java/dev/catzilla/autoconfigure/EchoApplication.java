package dev.catzilla.autoconfigure;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Flux;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A WebFlux application with an echo route, instrumented to record which allocator served
 * its channels and the request bodies, and how much native memory jemalloc held while a
 * body was in hand.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EchoApplication {

	@Bean
	Probe probe() {
		return new Probe();
	}

	@Bean
	RouterFunction<ServerResponse> echo(Probe probe, CatzillaAllocator outcome) {
		return RouterFunctions.route()
			.POST("/echo",
					(request) -> DataBufferUtils
						.join(request.body(BodyExtractors.toDataBuffers()).doOnNext(probe::recordRequestBuffer))
						.flatMap((body) -> {
							probe.recordHeldBody(body.readableByteCount(), outcome);
							return ServerResponse.ok().body(BodyInserters.fromDataBuffers(Flux.just(body)));
						}))
			.build();
	}

	@Bean
	NettyServerCustomizer probingServerCustomizer(Probe probe) {
		return (server) -> server.doOnBound((bound) -> probe.serverChannel.set(bound.channel().alloc()))
			.doOnConnection((connection) -> probe.acceptedChannels.add(connection.channel().alloc()));
	}

	@Bean
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> probingClientCustomizer(Probe probe) {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client
			.doOnConnected((connection) -> probe.clientChannels.add(connection.channel().alloc())));
	}

	/**
	 * What the instrumented application saw.
	 */
	public static final class Probe {

		final AtomicReference<ByteBufAllocator> serverChannel = new AtomicReference<>();

		final Set<ByteBufAllocator> acceptedChannels = ConcurrentHashMap.newKeySet();

		final Set<ByteBufAllocator> clientChannels = ConcurrentHashMap.newKeySet();

		final Set<ByteBufAllocator> requestBuffers = ConcurrentHashMap.newKeySet();

		final Set<String> otherRequestBuffers = ConcurrentHashMap.newKeySet();

		final AtomicLong requestBuffersSeen = new AtomicLong();

		/**
		 * jemalloc's {@code stats.allocated} and our allocator's used memory while the
		 * largest body was held.
		 */
		final AtomicLong jemallocAllocatedWhileHeld = new AtomicLong(-1);

		final AtomicLong usedDirectMemoryWhileHeld = new AtomicLong(-1);

		final AtomicLong largestHeldBody = new AtomicLong();

		void recordRequestBuffer(DataBuffer buffer) {
			this.requestBuffersSeen.incrementAndGet();
			if (buffer instanceof NettyDataBuffer netty) {
				this.requestBuffers.add(netty.getNativeBuffer().alloc());
			}
			else {
				this.otherRequestBuffers.add(buffer.getClass().getName());
			}
		}

		synchronized void recordHeldBody(int size, CatzillaAllocator outcome) {
			if (size <= this.largestHeldBody.get()) {
				return;
			}
			this.largestHeldBody.set(size);
			if (outcome.isJemalloc()) {
				this.jemallocAllocatedWhileHeld.set(Jemalloc.stats().allocated());
				this.usedDirectMemoryWhileHeld.set(((JemallocByteBufAllocator) outcome.allocator()).usedDirectMemory());
			}
		}

	}

}
