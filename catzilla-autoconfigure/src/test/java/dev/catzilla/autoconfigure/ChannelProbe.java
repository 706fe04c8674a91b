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

/**
 * Watches the channels of a Reactor Netty client: which allocator each channel has, which allocator every buffer
 * read from the socket came from, and jemalloc's counters while such a buffer was in hand (so they include it).
 * Adds nothing but a pass-through handler; never sets an allocator.
 */
final class ChannelProbe {


	final Set<ByteBufAllocator> channels = ConcurrentHashMap.newKeySet();

	final Set<ByteBufAllocator> reads = ConcurrentHashMap.newKeySet();

	final AtomicLong bytesRead = new AtomicLong();

	/** The classes of messages read that were not buffers (none expected at the head of the pipeline). */
	final Set<String> otherReads = ConcurrentHashMap.newKeySet();

	/** The capacity of the largest buffer read from jemalloc. */
	final AtomicLong largestJemallocRead = new AtomicLong();

	/** The largest {@code stats.allocated} of jemalloc sampled while a buffer it served was in hand. */
	final AtomicLong jemallocAllocatedWhileReading = new AtomicLong(-1);

	/** The largest {@code usedDirectMemory} of Catzilla's allocator sampled while a buffer it served was in hand. */
	final AtomicLong usedDirectWhileReading = new AtomicLong(-1);

	private final ChannelHandler handler = new Handler();

	/** Clients with equal options share pooled connections, so each probe has its own handler name. */
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
