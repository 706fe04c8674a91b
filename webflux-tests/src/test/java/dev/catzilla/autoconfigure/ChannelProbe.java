package dev.catzilla.autoconfigure;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watches the channels of a Reactor Netty client: which allocator each channel has, which
 * allocator every buffer read from the socket came from, and jemalloc's counters while
 * such a buffer was in hand (so they include it). Adds nothing but a pass-through
 * handler; never sets an allocator.
 */
final class ChannelProbe {

	final Set<ByteBufAllocator> channels = ConcurrentHashMap.newKeySet();

	final Set<ByteBufAllocator> reads = ConcurrentHashMap.newKeySet();

	final AtomicLong bytesRead = new AtomicLong();

	/**
	 * The classes of messages read that were not buffers (none expected at the head of
	 * the pipeline).
	 */
	final Set<String> otherReads = ConcurrentHashMap.newKeySet();

	/** The capacity of the largest buffer read from jemalloc. */
	final AtomicLong largestJemallocRead = new AtomicLong();

	/**
	 * The largest {@code stats.allocated} of jemalloc sampled while a buffer it served
	 * was in hand.
	 */
	final AtomicLong jemallocAllocatedWhileReading = new AtomicLong(-1);

	/**
	 * The largest {@code usedDirectMemory} of Catzilla's allocator sampled while a buffer
	 * it served was in hand.
	 */
	final AtomicLong usedDirectWhileReading = new AtomicLong(-1);

	private final ChannelHandler handler = new Handler();

	/**
	 * Clients with equal options share pooled connections, so each probe has its own
	 * handler name.
	 */
	private final String name = "catzilla-channel-probe-" + System.identityHashCode(this);

	HttpClient instrument(HttpClient client) {
		return client.doOnConnected(this::attach);
	}

	void attach(Connection connection) {
		this.channels.add(connection.channel().alloc());
		if (connection.channel().pipeline().get(this.name) == null) {
			connection.channel().pipeline().addFirst(this.name, this.handler);
		}
	}

	/** Forgets what was seen so far (the handlers stay). */
	void reset() {
		this.channels.clear();
		this.reads.clear();
		this.otherReads.clear();
		this.bytesRead.set(0);
		this.largestJemallocRead.set(0);
		this.jemallocAllocatedWhileReading.set(-1);
		this.usedDirectWhileReading.set(-1);
	}

	/**
	 * Every channel, and every buffer read from them (more than {@code minBytes}; a
	 * server connection's probe is attached after its first read), came from Catzilla's
	 * jemalloc allocator, and jemalloc's counters included them.
	 */
	void assertServedByJemalloc(ByteBufAllocator ours, long minBytes) {
		assertThat(ours).isInstanceOf(JemallocByteBufAllocator.class);
		assertThat(this.channels).as("the channels' allocator").containsOnly(ours);
		assertThat(this.reads).as("the allocator of the buffers read").containsOnly(ours);
		assertThat(this.otherReads).isEmpty();
		assertThat(this.bytesRead.get()).isGreaterThan(minBytes);
		assertThat(this.largestJemallocRead.get()).isPositive();
		assertThat(this.usedDirectWhileReading.get()).as("Catzilla's used direct memory while a buffer was read")
			.isGreaterThanOrEqualTo(this.largestJemallocRead.get());
		assertThat(this.jemallocAllocatedWhileReading.get()).as("jemalloc's stats.allocated while a buffer was read")
			.isGreaterThanOrEqualTo(this.largestJemallocRead.get());
	}

	/**
	 * The channels, and the buffers read from them, came from the given allocator, none
	 * from jemalloc.
	 */
	void assertServedBy(ByteBufAllocator allocator, long minBytes) {
		assertThat(this.channels).as("the channels' allocator").containsOnly(allocator);
		assertThat(this.reads).as("the allocator of the buffers read")
			.noneMatch(JemallocByteBufAllocator.class::isInstance);
		assertThat(this.otherReads).isEmpty();
		assertThat(this.bytesRead.get()).isGreaterThan(minBytes);
		assertThat(this.largestJemallocRead).hasValue(0);
	}

	@ChannelHandler.Sharable
	private final class Handler extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof ByteBuf buffer) {
				ByteBufAllocator allocator = buffer.alloc();
				ChannelProbe.this.reads.add(allocator);
				ChannelProbe.this.bytesRead.addAndGet(buffer.readableBytes());
				if (allocator instanceof JemallocByteBufAllocator jemalloc) {
					ChannelProbe.this.largestJemallocRead.accumulateAndGet(buffer.capacity(), Math::max);
					ChannelProbe.this.usedDirectWhileReading.accumulateAndGet(jemalloc.usedDirectMemory(), Math::max);
					ChannelProbe.this.jemallocAllocatedWhileReading.accumulateAndGet(Jemalloc.stats().allocated(),
							Math::max);
				}
			}
			else {
				ChannelProbe.this.otherReads.add(msg.getClass().getName());
			}
			ctx.fireChannelRead(msg);
		}

	}

}
