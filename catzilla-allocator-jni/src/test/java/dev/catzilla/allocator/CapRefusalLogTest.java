package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.internal.logging.InternalLogger;
import org.junit.jupiter.api.Test;

/**
 * {@link CapRefusalLog}: refusals at the cap are counted and logged boundedly, whatever
 * their rate.
 */
class CapRefusalLogTest {

	private final List<Object[]> lines = new ArrayList<>();

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final CapRefusalLog log = new CapRefusalLog(recordingLogger(), this.now::get);

	@Test
	void theFirstRefusalIsLoggedWithItsStackTraceAndTheNumbers() {
		JemallocCapExceededException refusal = new JemallocCapExceededException(4096, 16_000_000, 16_777_216);
		this.log.refused(refusal);
		assertThat(this.lines).hasSize(1);
		Object[] line = this.lines.get(0);
		assertThat((String) line[0]).startsWith("Allocation refused at the cap on direct memory");
		assertThat(line).contains(4096L, 16_000_000L, 16_777_216L);
		assertThat(line[line.length - 1]).as("the refusal itself, for its stack trace").isSameAs(refusal);
	}

	@Test
	void aMillionRefusalsWithinTenSecondsWriteOneLineAndTheNextIntervalOneSummary() {
		for (int i = 0; i < 1_000_000; i++) {
			this.log.refused(new JemallocCapExceededException(100, 5, 10));
			this.now.addAndGet(9_000); // a million in 9 s
		}
		assertThat(this.lines).hasSize(1);
		this.now.addAndGet(TimeUnit.SECONDS.toNanos(2));
		this.log.refused(new JemallocCapExceededException(100, 7, 10));
		assertThat(this.lines).hasSize(2);
		Object[] summary = this.lines.get(1);
		assertThat((String) summary[0]).contains("allocation(s) refused at the cap on direct memory in the last");
		assertThat(summary).as("refusals and bytes since the first line, used, cap")
			.contains(1_000_000L, 100_000_000L, 7L, 10L);
		assertThat(Arrays.stream(summary).noneMatch(Throwable.class::isInstance)).as("no stack trace in summaries")
			.isTrue();
		assertThat(this.log.refusals()).isEqualTo(1_000_001);
		assertThat(this.log.refusedBytes()).isEqualTo(100_000_100);
	}

	@Test
	void refusalsFromManyThreadsAtOnceStillWriteOneLinePerInterval() throws Exception {
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			Thread thread = new Thread(() -> {
				for (int i = 0; i < 50_000; i++) {
					this.log.refused(new JemallocCapExceededException(1, 1, 1));
				}
			});
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			thread.join();
		}
		synchronized (this.lines) {
			assertThat(this.lines).hasSize(1);
		}
		assertThat(this.log.refusals()).isEqualTo(400_000);
	}

	private InternalLogger recordingLogger() {
		return (InternalLogger) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { InternalLogger.class }, (proxy, method, args) -> {
					if (method.getName().equals("warn")) {
						List<Object> line = new ArrayList<>();
						line.add(args[0]);
						for (int i = 1; i < args.length; i++) {
							if (args[i] instanceof Object[] varargs) {
								line.addAll(Arrays.asList(varargs));
							}
							else {
								line.add(args[i]);
							}
						}
						synchronized (this.lines) {
							this.lines.add(line.toArray());
						}
						return null;
					}
					if (method.getReturnType() == boolean.class) {
						return true;
					}
					return method.getName().equals("name") ? "test" : null;
				});
	}

}
