package dev.catzilla.allocator;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Main class of the JVMs the native tests fork (see {@link ForkedJvm#probe()}). Runs its
 * arguments as steps in order and prints {@code key=value} lines for the test to assert
 * on. Exits 0 unless a step throws.
 */
public final class NativeProbe {

	private NativeProbe() {
	}

	public static void main(String[] args) throws Exception {
		for (String arg : args) {
			String[] step = arg.split(":");
			switch (step[0]) {
				case "loadtime" -> loadTime();
				case "load" -> load();
				case "configure" ->
					configure(Long.parseLong(step[1]), Long.parseLong(step[2]), Boolean.parseBoolean(step[3]));
				case "options" -> options();
				case "reconfigure-different" -> reconfigureDifferent();
				case "reconfigure-same" -> {
					Jemalloc.configure(Jemalloc.requestedOptions());
					print("reconfigureSame", "ok");
				}
				case "race" -> race();
				case "purge" -> purge(Integer.parseInt(step[1]));
				case "both-heaps" -> bothHeaps();
				case "ensure" -> ensure();
				default -> throw new IllegalArgumentException("unknown step " + arg);
			}
		}
		print("exit", "normal");
	}

	private static void print(String key, Object value) {
		System.out.println(key + "=" + String.valueOf(value).replace('\n', ' '));
	}

	private static void loadTime() throws ClassNotFoundException {
		long start = System.nanoTime();
		Class.forName("dev.catzilla.allocator.Jemalloc");
		long loaded = System.nanoTime();
		boolean available = Jemalloc.isAvailable();
		print("loadNanos", loaded - start);
		print("available", available);
	}

	private static void load() {
		print("available", Jemalloc.isAvailable());
		Throwable cause = Jemalloc.unavailabilityCause();
		print("cause", cause == null ? "" : cause.getClass().getName() + ": " + cause.getMessage());
		print("platform", Jemalloc.platform());
		print("location", Jemalloc.libraryLocation());
		print("version", Jemalloc.isAvailable() ? Jemalloc.version() : "");
		print("initialized", Jemalloc.isInitialized());
	}

	private static void ensure() {
		try {
			Jemalloc.ensureAvailability();
			print("ensure", "ok");
		}
		catch (UnsatisfiedLinkError ex) {
			print("ensure", ex.getClass().getName() + ": " + ex.getMessage());
			print("ensureCause", ex.getCause() == Jemalloc.unavailabilityCause());
		}
	}

	private static void configure(long tcacheMax, long dirtyDecayMillis, boolean backgroundThread) {
		Jemalloc.configure(JemallocOptions.builder()
			.tcacheMax(tcacheMax)
			.dirtyDecay(Duration.ofMillis(dirtyDecayMillis))
			.backgroundThread(backgroundThread)
			.build());
		print("configured", Jemalloc.requestedOptions());
		print("initialized", Jemalloc.isInitialized());
	}

	private static void options() {
		for (Map.Entry<String, String> option : Jemalloc.effectiveOptions().entrySet()) {
			print("opt." + option.getKey(), option.getValue());
		}
		print("initialized", Jemalloc.isInitialized());
	}

	private static void reconfigureDifferent() {
		JemallocOptions different = JemallocOptions.builder()
			.tcacheMax(Jemalloc.requestedOptions().tcacheMax() / 2)
			.build();
		try {
			Jemalloc.configure(different);
			print("reconfigureDifferent", "accepted");
		}
		catch (IllegalStateException ex) {
			print("reconfigureDifferent", "IllegalStateException: " + ex.getMessage());
		}
	}

	/**
	 * Many threads need jemalloc at once: it must initialise exactly once and every
	 * caller must see it ready.
	 */
	private static void race() throws Exception {
		int threads = 8;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<JemallocStats>> results = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			results.add(pool.submit(() -> {
				start.await();
				return Jemalloc.stats();
			}));
		}
		start.countDown();
		for (Future<JemallocStats> result : results) {
			result.get();
		}
		pool.shutdown();
		print("race", "ok");
		print("initialized", Jemalloc.isInitialized());
	}

	private static void purge(int mebibytes) {
		long size = 1024 * 1024;
		long[] addresses = new long[mebibytes];
		Jemalloc.initialize();
		for (int i = 0; i < mebibytes; i++) {
			addresses[i] = JemallocNative.allocate(size);
			if (addresses[i] == 0) {
				throw new OutOfMemoryError("jemalloc could not allocate " + size);
			}
			ByteBuffer buffer = JemallocNative.directBuffer(addresses[i], size);
			for (int offset = 0; offset < size; offset += 4096) {
				buffer.put(offset, (byte) 1); // touch every page: make it resident
			}
		}
		print("residentAllocated", Jemalloc.stats().resident());
		for (long address : addresses) {
			JemallocNative.free(address, size);
		}
		JemallocStats before = Jemalloc.stats();
		long released = Jemalloc.purge();
		JemallocStats after = Jemalloc.stats();
		print("residentBeforePurge", before.resident());
		print("released", released);
		print("residentAfterPurge", after.resident());
	}

	/**
	 * Allocates through our jemalloc and through the JVM's malloc (a preloaded jemalloc,
	 * if any) side by side.
	 */
	private static void bothHeaps() throws Exception {
		Jemalloc.initialize();
		List<Long> ours = new ArrayList<>();
		List<ByteBuffer> theirs = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			long size = 64L << (i % 12);
			long address = JemallocNative.allocate(size);
			if (address == 0) {
				throw new OutOfMemoryError("jemalloc could not allocate " + size);
			}
			JemallocNative.directBuffer(address, size).put(0, (byte) i);
			ours.add(address);
			ours.add(size);
			// Unsafe.allocateMemory: the process's malloc
			theirs.add(ByteBuffer.allocateDirect((int) size));
		}
		for (int i = 0; i < ours.size(); i += 2) {
			JemallocNative.free(ours.get(i), ours.get(i + 1));
		}
		theirs.clear();
		System.gc();
		String maps = Files.readString(Paths.get("/proc/self/maps"));
		print("mapsSystemJemalloc", maps.contains("libjemalloc.so.2"));
		print("mapsCatzilla", maps.contains("libcatzilla_jemalloc_"));
		print("allocatedAfterFree", Jemalloc.stats().allocated());
		print("bothHeaps", "ok");
	}

}
