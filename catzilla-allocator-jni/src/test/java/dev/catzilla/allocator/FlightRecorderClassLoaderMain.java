package dev.catzilla.allocator;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Test support, run in a forked JVM by {@link FlightRecorderEventsTest}: while a JFR
 * recording with every Catzilla event runs (periodic ones every 100 ms), loads the
 * allocator in an isolated class loader, samples, purges and waits until the periodic
 * statistics hooks are registered and have run; then drops the class loader and waits
 * until it is collected (the hooks must not keep it reachable), records on for a while
 * (the hooks remove themselves) and prints {@code key=value} lines: whether the loader
 * was collected and how many events of each kind the recording holds.
 */
public final class FlightRecorderClassLoaderMain {

	static final String SURVIVED = "CATZILLA-JFR-CLASSLOADER-SURVIVED";

	private static final String[] EVENTS = { "catzilla.AllocationSample", "catzilla.Purge",
			"catzilla.JemallocStatistics", "catzilla.AllocatorStatistics" };

	private FlightRecorderClassLoaderMain() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Files.createTempFile("catzilla-classloader", ".jfr");
		try (Recording recording = new Recording()) {
			for (String event : EVENTS) {
				recording.enable(event).withPeriod(Duration.ofMillis(100));
			}
			recording.start();
			WeakReference<ClassLoader> loader = useAndClose(JemallocClassLoaderMain.isolatedClassPath());
			long deadline = System.nanoTime() + 60_000_000_000L;
			while (loader.get() != null && System.nanoTime() < deadline) {
				System.gc();
				Thread.sleep(50);
			}
			System.out.println("collected=" + (loader.get() == null));
			if (loader.get() != null) {
				// What may hold it: every thread's stack.
				Thread.getAllStackTraces()
					.forEach((thread, stack) -> System.out
						.println("thread " + thread.getName() + ": " + java.util.Arrays.toString(stack)));
			}
			// the hooks run (and remove themselves) with their target gone
			Thread.sleep(1000);
			recording.stop();
			recording.dump(file);
		}
		Map<String, Integer> counts = new TreeMap<>();
		for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
			counts.merge(event.getEventType().getName(), 1, Integer::sum);
		}
		Files.delete(file);
		for (String event : EVENTS) {
			System.out.println(event + "=" + counts.getOrDefault(event, 0));
		}
		System.out.println(SURVIVED);
	}

	private static WeakReference<ClassLoader> useAndClose(URL[] urls) throws Exception {
		URLClassLoader loader = new URLClassLoader("catzilla-jfr", urls, ClassLoader.getPlatformClassLoader());
		// On a thread that ends: Netty's thread-locals of a living thread would keep the
		// loader reachable.
		Thread worker = new Thread(() -> {
			try {
				use(loader);
			}
			catch (Exception ex) {
				ex.printStackTrace();
				System.exit(1);
			}
		});
		worker.start();
		worker.join();
		loader.close();
		return new WeakReference<>(loader);
	}

	private static void use(ClassLoader loader) throws Exception {
		Class<?> optionsType = loader.loadClass("dev.catzilla.allocator.ProfilingOptions");
		Object options = optionsType.getMethod("defaults").invoke(null);
		options = optionsType.getMethod("withSampleInterval", long.class).invoke(options, 1L);
		Class<?> allocatorType = loader.loadClass("dev.catzilla.allocator.JemallocByteBufAllocator");
		Object builder = allocatorType.getMethod("builder").invoke(null);
		builder.getClass().getMethod("profiling", optionsType).invoke(builder, options);
		Object allocator = builder.getClass().getMethod("build").invoke(builder);
		Method directBuffer = allocatorType.getMethod("directBuffer", int.class);
		Method release = loader.loadClass("io.netty.buffer.ByteBuf").getMethod("release");
		List<Object> held = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			held.add(directBuffer.invoke(allocator, 1000 + i));
		}
		Class<?> jemalloc = loader.loadClass("dev.catzilla.allocator.Jemalloc");
		jemalloc.getMethod("purge").invoke(null);
		Method hooks = loader.loadClass("dev.catzilla.allocator.FlightRecorderEvents").getDeclaredMethod("hooks");
		hooks.setAccessible(true);
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (hooks.invoke(null) == null && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		System.out.println("hooksRegistered=" + (hooks.invoke(null) != null));
		Thread.sleep(1500); // the periodic events run with their target alive
		for (Object buf : held) {
			release.invoke(buf);
		}
	}

}
