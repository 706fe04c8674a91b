package dev.catzilla.allocator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

/**
 * Test support, run in a forked JVM by {@link JemallocByteBufRaceTest}: one thread reads
 * every long of a 256-byte buffer, again and again, while another allocates buffers,
 * hands each over and releases it at once. An application race, as Netty's own buffers
 * allow it: every read must either return (stale) bytes or throw
 * {@link IllegalReferenceCountException}, and the JVM must survive. Prints the counts and
 * {@link #SURVIVED}; any other exception exits with status 1.
 */
public final class JemallocRaceMain {

	static final String SURVIVED = "CATZILLA-RACE-SURVIVED";

	private JemallocRaceMain() {
	}

	public static void main(String[] args) throws Exception {
		int buffers = Integer.parseInt(args[0]);
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.DEFAULT;
		AtomicReference<ByteBuf> current = new AtomicReference<>();
		AtomicReference<Throwable> unexpected = new AtomicReference<>();
		AtomicLong reads = new AtomicLong();
		AtomicLong refused = new AtomicLong();
		AtomicLong sum = new AtomicLong();
		Thread reader = new Thread(() -> {
			long ok = 0;
			long failed = 0;
			long total = 0;
			while (!Thread.currentThread().isInterrupted()) {
				ByteBuf buf = current.get();
				if (buf == null) {
					Thread.onSpinWait();
					continue;
				}
				try {
					for (int i = 0; i < 256; i += 8) {
						total += buf.getLong(i);
					}
					ok++;
				}
				catch (IllegalReferenceCountException ex) {
					failed++;
				}
				catch (Throwable ex) {
					unexpected.compareAndSet(null, ex);
					break;
				}
			}
			reads.set(ok);
			refused.set(failed);
			sum.set(total);
		}, "racing-reader");
		reader.start();
		for (int i = 0; i < buffers; i++) {
			ByteBuf buf = allocator.directBuffer(256);
			buf.writeZero(256);
			current.set(buf);
			buf.release();
		}
		current.set(null);
		reader.interrupt();
		reader.join();
		if (unexpected.get() != null) {
			unexpected.get().printStackTrace();
			System.exit(1);
		}
		System.out.println("buffers=" + buffers);
		System.out.println("reads=" + reads.get());
		System.out.println("refused=" + refused.get());
		System.out.println("used=" + allocator.usedDirectMemory());
		System.out.println("retain=" + Jemalloc.effectiveOptions().get("retain"));
		System.out.println(SURVIVED + " (" + sum.get() + ")");
	}

}
