package dev.catzilla.allocator;

import java.io.File;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support, run in a forked JVM by {@link JemallocClassLoaderTest}: loads the
 * allocator in an isolated class loader (as a plugin system, an application server or a
 * restart class loader would), allocates and releases 10,000 buffers with jemalloc's
 * background threads running, loads the classes again in a second class loader while the
 * first is alive, then drops both and waits until the first is collected (and with it,
 * Netty's {@code NativeLibraries} entry: the JVM unloads the library). jemalloc's
 * background threads keep running after that; the JVM must survive it. Prints
 * {@code key=value} lines and {@link #SURVIVED}.
 */
public final class JemallocClassLoaderMain {

	static final String SURVIVED = "CATZILLA-CLASSLOADER-SURVIVED";

	private JemallocClassLoaderMain() {
	}

	public static void main(String[] args) throws Exception {
		URL[] urls = isolatedClassPath();
		WeakReference<ClassLoader> first = useAndClose(urls);
		awaitCollected(first);
		try (URLClassLoader third = new URLClassLoader("catzilla-third", urls, ClassLoader.getPlatformClassLoader())) {
			System.out.println("third.available=" + available(third));
		}
		System.out.println("loadedBy=" + System.getProperty(NativeLibraryLoader.OWNER_PROPERTY));
		System.out.println(SURVIVED);
	}

	/**
	 * Loads the library in a first class loader and uses it; tries a second one while the
	 * first is alive; closes both and returns a weak reference to the first, which
	 * nothing else references any more.
	 */
	private static WeakReference<ClassLoader> useAndClose(URL[] urls) throws Exception {
		URLClassLoader first = new URLClassLoader("catzilla-first", urls, ClassLoader.getPlatformClassLoader());
		// Allocate on a thread that ends: Netty's thread-locals of a living thread would
		// keep the loader reachable.
		Thread worker = new Thread(() -> {
			try {
				System.out.println("first.available=" + available(first));
				configureDirtyDecay(first, DIRTY_DECAY);
				System.out.println("first.backgroundThread=" + backgroundThread(first));
				System.out.println("first.allocated=" + allocateAndRelease(first, 10_000));
			}
			catch (Exception ex) {
				ex.printStackTrace();
				System.exit(1);
			}
		});
		worker.start();
		worker.join();
		try (URLClassLoader second = new URLClassLoader("catzilla-second", urls,
				ClassLoader.getPlatformClassLoader())) {
			System.out.println("second.available=" + available(second));
			System.out.println("second.cause=" + cause(second).replace('\n', ' '));
		}
		first.close();
		return new WeakReference<>(first);
	}

	private static void awaitCollected(WeakReference<ClassLoader> ref) throws InterruptedException {
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (ref.get() != null && System.nanoTime() < deadline) {
			System.gc();
			Thread.sleep(50);
		}
		System.out.println("first.collected=" + (ref.get() == null));
		// jemalloc's background threads are still purging (DIRTY_DECAY): give them time
		// to run in the library.
		for (int i = 0; i < 30; i++) {
			System.gc();
			Thread.sleep(100);
		}
	}

	/**
	 * The allocator's classes and Netty's jars, without this test's classes or anything
	 * else of the class path (also FlightRecorderClassLoaderMain's).
	 */
	static URL[] isolatedClassPath() throws Exception {
		List<URL> urls = new ArrayList<>();
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path path = Path.of(entry);
			String name = path.getFileName().toString();
			boolean mainClasses = name.equals("classes") && path.getParent().getFileName().toString().equals("target");
			if (mainClasses || (name.startsWith("netty-") && name.endsWith(".jar") && !name.contains("tests"))) {
				urls.add(path.toUri().toURL());
			}
		}
		return urls.toArray(new URL[0]);
	}

	/**
	 * A decay time that keeps jemalloc's background threads busy (purging the freed
	 * buffers step by step) during the seconds after the class loader is collected:
	 * without {@code -z nodelete} they crash the JVM then.
	 */
	private static final Duration DIRTY_DECAY = Duration.ofSeconds(4);

	private static void configureDirtyDecay(ClassLoader loader, Duration decay) throws Exception {
		Class<?> optionsType = loader.loadClass("dev.catzilla.allocator.JemallocOptions");
		Object builder = optionsType.getMethod("builder").invoke(null);
		builder.getClass().getMethod("dirtyDecay", Duration.class).invoke(builder, decay);
		Object options = builder.getClass().getMethod("build").invoke(builder);
		jemalloc(loader).getMethod("configure", optionsType).invoke(null, options);
	}

	private static boolean available(ClassLoader loader) throws Exception {
		return (boolean) jemalloc(loader).getMethod("isAvailable").invoke(null);
	}

	private static String cause(ClassLoader loader) throws Exception {
		Object cause = jemalloc(loader).getMethod("unavailabilityCause").invoke(null);
		return String.valueOf(cause);
	}

	private static String backgroundThread(ClassLoader loader) throws Exception {
		Object options = jemalloc(loader).getMethod("effectiveOptions").invoke(null);
		return String.valueOf(((java.util.Map<?, ?>) options).get("background_thread"));
	}

	private static long allocateAndRelease(ClassLoader loader, int count) throws Exception {
		Class<?> allocatorType = loader.loadClass("dev.catzilla.allocator.JemallocByteBufAllocator");
		Object allocator = allocatorType.getField("DEFAULT").get(null);
		Method directBuffer = allocatorType.getMethod("directBuffer", int.class);
		Class<?> byteBuf = loader.loadClass("io.netty.buffer.ByteBuf");
		Method release = byteBuf.getMethod("release");
		List<Object> buffers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			buffers.add(directBuffer.invoke(allocator, 64 + (i % 64) * 256));
		}
		Method stats = jemalloc(loader).getMethod("stats");
		Object allocated = stats.invoke(null).getClass().getMethod("allocated").invoke(stats.invoke(null));
		for (Object buf : buffers) {
			release.invoke(buf);
		}
		return (long) allocated;
	}

	private static Class<?> jemalloc(ClassLoader loader) throws ClassNotFoundException {
		Class<?> type = loader.loadClass("dev.catzilla.allocator.Jemalloc");
		if (type.getClassLoader() != loader) {
			throw new IllegalStateException("Jemalloc was loaded by " + type.getClassLoader() + ", not " + loader);
		}
		return type;
	}

}
