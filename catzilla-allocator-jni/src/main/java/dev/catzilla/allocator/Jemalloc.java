package dev.catzilla.allocator;

import java.util.Map;

/**
 * Availability of Catzilla's native library (a private, statically linked jemalloc 5.3), in the manner of Netty's
 * {@code Epoll}: {@link #isAvailable()}, {@link #ensureAvailability()}, {@link #unavailabilityCause()}.
 * <p>
 * The library is looked up on {@code java.library.path} first, then extracted from the jar's
 * {@code META-INF/native/} into a private temporary directory. Setting the system property
 * {@code catzilla.native.disabled=true} makes it unavailable on purpose. Class loading never throws.
 * <p>
 * CONTRACT: signatures fixed; bodies are written by the native work (issue 2).
 */
public final class Jemalloc {

	private Jemalloc() {
	}

	/** {@code true} when the native library is loaded and usable on this platform. */
	public static boolean isAvailable() {
		throw new UnsupportedOperationException("contract");
	}

	/** Throws an {@link UnsatisfiedLinkError} whose cause is {@link #unavailabilityCause()} when unavailable. */
	public static void ensureAvailability() {
		throw new UnsupportedOperationException("contract");
	}

	/** Why the library is unavailable, or {@code null} when it is available. */
	public static Throwable unavailabilityCause() {
		throw new UnsupportedOperationException("contract");
	}

	/** The platform name the library is built for, e.g. {@code linux-x86_64} (also when unavailable). */
	public static String platform() {
		throw new UnsupportedOperationException("contract");
	}

	/** Where the library was loaded from: {@code java.library.path} or the extracted file's absolute path. */
	public static String libraryLocation() {
		throw new UnsupportedOperationException("contract");
	}

	/** jemalloc's version string, e.g. {@code 5.3.0-0-g54eaed1d...}. */
	public static String version() {
		throw new UnsupportedOperationException("contract");
	}

	/**
	 * Sets the options jemalloc initialises with. Allowed until jemalloc initialises (the first allocation, stats
	 * or purge call); afterwards only the same options are accepted and anything else throws
	 * {@link IllegalStateException}.
	 */
	public static void configure(JemallocOptions options) {
		throw new UnsupportedOperationException("contract");
	}

	/** The options jemalloc was (or will be) initialised with. */
	public static JemallocOptions requestedOptions() {
		throw new UnsupportedOperationException("contract");
	}

	/** {@code true} once jemalloc has initialised. */
	public static boolean isInitialized() {
		throw new UnsupportedOperationException("contract");
	}

	/** The {@code opt.*} values jemalloc actually runs with (read back from jemalloc), by option name. */
	public static Map<String, String> effectiveOptions() {
		throw new UnsupportedOperationException("contract");
	}

	/** jemalloc's counters after an {@code epoch} refresh. */
	public static JemallocStats stats() {
		throw new UnsupportedOperationException("contract");
	}

	/** Purges unused pages of every arena and returns how many resident bytes that released (never negative). */
	public static long purge() {
		throw new UnsupportedOperationException("contract");
	}

}
