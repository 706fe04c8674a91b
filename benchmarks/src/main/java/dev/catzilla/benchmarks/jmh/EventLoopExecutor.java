package dev.catzilla.benchmarks.jmh;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * JMH's benchmark threads as Netty event-loop-like {@link FastThreadLocalThread}s, so
 * Netty's pooled and adaptive allocators use their thread caches as they do on an event
 * loop. Selected with the system properties {@code jmh.executor=CUSTOM} and
 * {@code jmh.executor.class=dev.catzilla.benchmarks.jmh.EventLoopExecutor} in the forked
 * benchmark JVM (set by {@link AllocatorBenchmark}'s {@code @Fork}); JMH calls the
 * {@code (int maxThreads, String prefix)} constructor.
 */
public final class EventLoopExecutor extends ThreadPoolExecutor {

	public EventLoopExecutor(int maxThreads, String prefix) {
		super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new Factory(prefix));
	}

	private static final class Factory implements java.util.concurrent.ThreadFactory {

		private final String prefix;

		private final AtomicInteger count = new AtomicInteger();

		Factory(String prefix) {
			this.prefix = prefix;
		}

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new FastThreadLocalThread(task,
					this.prefix + "-event-loop-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
