package dev.catzilla.allocator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Availability of Catzilla's native library (a private, statically linked jemalloc 5.3),
 * in the manner of Netty's {@code Epoll}: {@link #isAvailable()},
 * {@link #ensureAvailability()}, {@link #unavailabilityCause()}.
 * <p>
 * The library is looked up on {@code java.library.path} first, then extracted from the
 * jar's {@code META-INF/native/} into a private temporary directory. Setting the system
 * property {@code catzilla.native.disabled=true} makes it unavailable on purpose;
 * {@code catzilla.native.workdir} chooses where the library is extracted (default
 * {@code java.io.tmpdir}). Class loading never throws. See {@code docs/native.md} for the
 * build, the platform matrix and load failures.
 * <p>
 * <b>Initialisation.</b> Loading the library does not initialise jemalloc. jemalloc
 * initialises exactly once, with the options given to {@link #configure(JemallocOptions)}
 * (or {@link JemallocOptions#defaults()}), the first time it is needed: by
 * {@link #stats()}, {@link #purge()}, {@link #effectiveOptions()}, or by the
 * package-private {@link #initialize()}, which {@link JemallocByteBufAllocator} must call
 * before its first {@link JemallocNative#allocate(long)} (it is cheap after the first
 * call: one volatile read). Any {@link JemallocNative} call other than
 * {@link JemallocNative#version()} before that would initialise jemalloc without
 * Catzilla's options. {@link #version()} does not initialise.
 */
public final class Jemalloc {

	private static final Object LOCK = new Object();

	private static final Throwable UNAVAILABILITY_CAUSE;

	private static final String LOCATION;

	private static final String VERSION;

	private static volatile boolean initialized;

	private static volatile JemallocOptions requested = JemallocOptions.defaults();

	/**
	 * Whether {@link #configure(JemallocOptions)} was called (guarded by {@link #LOCK}).
	 */
	private static boolean configured;

	private static RuntimeException initializationFailure;

	static {
		Throwable cause = null;
		String location = null;
		String version = null;
		try {
			location = NativeLibraryLoader.load(Jemalloc.class.getClassLoader());
			version = JemallocNative.version();
			if (version == null || !version.startsWith("5.")) {
				throw new UnsatisfiedLinkError("Catzilla's native library reports an unexpected jemalloc version '"
						+ version + "' (from " + location + ")");
			}
		}
		catch (Throwable ex) {
			cause = ex;
			location = null;
			version = null;
		}
		UNAVAILABILITY_CAUSE = cause;
		LOCATION = location;
		VERSION = version;
	}

	private Jemalloc() {
	}

	/** {@code true} when the native library is loaded and usable on this platform. */
	public static boolean isAvailable() {
		return UNAVAILABILITY_CAUSE == null;
	}

	/**
	 * Throws an {@link UnsatisfiedLinkError} whose cause is
	 * {@link #unavailabilityCause()} when unavailable.
	 */
	public static void ensureAvailability() {
		if (UNAVAILABILITY_CAUSE != null) {
			UnsatisfiedLinkError error = new UnsatisfiedLinkError(
					"Catzilla's jemalloc is not available on " + platform() + ": " + UNAVAILABILITY_CAUSE.getMessage());
			error.initCause(UNAVAILABILITY_CAUSE);
			throw error;
		}
	}

	/** Why the library is unavailable, or {@code null} when it is available. */
	public static Throwable unavailabilityCause() {
		return UNAVAILABILITY_CAUSE;
	}

	/**
	 * The platform name the library is built for, e.g. {@code linux-x86_64} (also when
	 * unavailable).
	 */
	public static String platform() {
		return NativeLibraryLoader.platform();
	}

	/**
	 * Where the library was loaded from: {@code java.library.path} or the extracted
	 * file's absolute path (deleted right after loading); {@code null} when unavailable.
	 */
	public static String libraryLocation() {
		return LOCATION;
	}

	/**
	 * jemalloc's version string, e.g. {@code 5.3.0-0-g54eaed1d...}. Does not initialise
	 * jemalloc.
	 * @throws UnsatisfiedLinkError when unavailable
	 */
	public static String version() {
		ensureAvailability();
		return VERSION;
	}

	/**
	 * Sets the options jemalloc initialises with. Allowed until jemalloc initialises (the
	 * first allocation, stats or purge call; until then the latest call wins); afterwards
	 * only the same options are accepted and anything else throws
	 * {@link IllegalStateException} that names both.
	 */
	public static void configure(JemallocOptions options) {
		Objects.requireNonNull(options, "options must not be null");
		synchronized (LOCK) {
			if (!initialized) {
				requested = options;
				configured = true;
			}
			else if (!options.equals(requested)) {
				throw new IllegalStateException("jemalloc is already initialised with [" + requested
						+ "]; it cannot switch to [" + options + "]. Configure Catzilla before its first allocation.");
			}
		}
	}

	/**
	 * Whether {@link #configure(JemallocOptions)} was called in this JVM (by anyone);
	 * {@code false} means {@link #requestedOptions()} are the defaults nobody chose.
	 */
	public static boolean isConfigured() {
		synchronized (LOCK) {
			return configured;
		}
	}

	/** The options jemalloc was (or will be) initialised with. */
	public static JemallocOptions requestedOptions() {
		return requested;
	}

	/** {@code true} once jemalloc has initialised. */
	public static boolean isInitialized() {
		return initialized;
	}

	/**
	 * Initialises jemalloc with {@link #requestedOptions()} unless it already is: exactly
	 * once, thread-safe. Called by everything that needs jemalloc running, including
	 * {@link JemallocByteBufAllocator} before its first allocation.
	 * @throws UnsatisfiedLinkError when the library is unavailable
	 * @throws IllegalStateException when jemalloc failed to initialise (then every later
	 * call throws it too)
	 */
	static void initialize() {
		if (initialized) {
			return;
		}
		ensureAvailability();
		synchronized (LOCK) {
			if (initialized) {
				return;
			}
			if (initializationFailure != null) {
				throw new IllegalStateException(initializationFailure.getMessage(), initializationFailure);
			}
			try {
				JemallocNative.initialize(requested.toMallocConf());
				QuietPurge.configure(requested.quietPurge(), requested.trimNativeHeap());
			}
			catch (RuntimeException ex) {
				initializationFailure = new IllegalStateException(
						"jemalloc failed to initialise with [" + requested + "]: " + ex.getMessage(), ex);
				throw initializationFailure;
			}
			initialized = true;
		}
	}

	/**
	 * The {@code opt.*} values jemalloc actually runs with (read back from jemalloc), by
	 * option name.
	 */
	public static Map<String, String> effectiveOptions() {
		initialize();
		String[] pairs = JemallocNative.options();
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i + 1 < pairs.length; i += 2) {
			options.put(pairs[i], pairs[i + 1]);
		}
		return Collections.unmodifiableMap(options);
	}

	/**
	 * jemalloc's six totals after an {@code epoch} refresh, read now (uncached). A thin
	 * view over {@link JemallocStatistic}: for every statistic, the arenas and the size
	 * classes use {@link JemallocStatistics#read()}, or
	 * {@link JemallocStatistics#shared()} for a cached snapshot.
	 */
	public static JemallocStats stats() {
		return JemallocStatistics.readStats();
	}

	/**
	 * Purges unused pages of every arena and returns how many resident bytes that
	 * released (never negative). Tried again while jemalloc's own purging of an arena
	 * kept most of it from being purged, so it may take up to about half a second: not
	 * for an event-loop thread.
	 */
	public static long purge() {
		initialize();
		return Purges.purge(Purges.Trigger.EXPLICIT);
	}

}
