package dev.catzilla.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocOptions;
import dev.catzilla.allocator.JemallocStats;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The only class of this module that calls {@link Jemalloc} (and so may load the native
 * library). Nothing reaches it in {@code malloc} mode. Public for the actuator packages
 * only; not an API.
 */
public final class JemallocSupport {

	private static final Log logger = LogFactory.getLog(JemallocSupport.class);

	private JemallocSupport() {
	}

	public static CatzillaAllocator select(AllocatorMode mode, CatzillaProperties.Jemalloc properties,
			CatzillaProperties.Profile profile) {
		dev.catzilla.allocator.ProfilingOptions profiling = profile.toOptions();
		// Invalid settings fail in every mode that could use them, even when the library
		// is unavailable.
		JemallocOptions options = properties.toOptions();
		long maxDirectMemory = properties.maxDirectMemoryBytes();
		if (!Jemalloc.isAvailable()) {
			Throwable cause = Jemalloc.unavailabilityCause();
			if (mode == AllocatorMode.JEMALLOC) {
				Throwable failure = cause;
				try {
					Jemalloc.ensureAvailability();
				}
				catch (UnsatisfiedLinkError ex) {
					failure = ex;
				}
				throw new JemallocUnavailableException(Jemalloc.platform(),
						Boolean.getBoolean("catzilla.native.disabled"), failure);
			}
			return new CatzillaAllocator(mode, ActiveAllocator.NETTY, ByteBufAllocator.DEFAULT,
					"jemalloc unavailable on " + Jemalloc.platform() + ": " + summary(cause), cause);
		}
		String note = configure(options);
		long max = (maxDirectMemory > 0) ? maxDirectMemory : PlatformDependent.maxDirectMemory();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.maxDirectMemory(max)
			.capReserve(properties.capReserveBytes(max))
			.profiling(profiling)
			.build();
		String why = (mode == AllocatorMode.AUTO) ? "native library available" : "requested explicitly";
		return new CatzillaAllocator(mode, ActiveAllocator.JEMALLOC, allocator,
				why + ", loaded from " + Jemalloc.libraryLocation() + note, null, optionsMap(options));
	}

	/**
	 * Applies the options. jemalloc reads its options once per JVM: when another user of
	 * the JVM (e.g. another application context) chose other options first, a WARN names
	 * both, and so does the returned note.
	 */
	private static String configure(JemallocOptions options) {
		JemallocOptions earlier = Jemalloc.isConfigured() ? Jemalloc.requestedOptions() : null;
		String note;
		try {
			Jemalloc.configure(options);
			if (earlier == null || earlier.equals(options) || Jemalloc.isInitialized()) {
				return "";
			}
			note = "; jemalloc was configured in this JVM with [" + earlier + "] before (another application"
					+ " context?) and will now initialise with this context's [" + options + "]: the latest"
					+ " configuration before the first allocation wins";
		}
		catch (IllegalStateException ex) {
			note = "; " + ex.getMessage().replace(" Configure Catzilla before its first allocation.", "")
					+ " This context's catzilla.jemalloc.* take effect only after a restart";
		}
		logger.warn("Catzilla: " + note.substring(2));
		return note;
	}

	public static String summary(@Nullable Throwable cause) {
		if (cause == null) {
			return "no cause given";
		}
		StringBuilder summary = new StringBuilder();
		for (Throwable t = cause; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (summary.length() > 0) {
				summary.append("; caused by ");
			}
			summary.append(t.getClass().getSimpleName());
			if (t.getMessage() != null) {
				summary.append(": ").append(t.getMessage());
			}
		}
		return summary.toString();
	}

	public static String version() {
		return Jemalloc.version();
	}

	/** {@code 5.3.0} out of {@code 5.3.0-0-g54eaed1d...}. */
	public static String shortVersion() {
		String version = Jemalloc.version();
		int dash = (version != null) ? version.indexOf('-') : -1;
		return (dash > 0) ? version.substring(0, dash) : version;
	}

	public static String platform() {
		return Jemalloc.platform();
	}

	public static String libraryLocation() {
		return Jemalloc.libraryLocation();
	}

	public static boolean isAvailable() {
		return Jemalloc.isAvailable();
	}

	public static boolean isInitialized() {
		return Jemalloc.isInitialized();
	}

	/**
	 * The options as jemalloc option names and values ({@code malloc_conf} syntax), in
	 * order.
	 */
	public static Map<String, String> optionsMap(JemallocOptions requested) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String pair : requested.toMallocConf().split(",")) {
			int colon = pair.indexOf(':');
			if (colon > 0) {
				options.put(pair.substring(0, colon), pair.substring(colon + 1));
			}
		}
		return Collections.unmodifiableMap(options);
	}

	public static Map<String, String> effectiveOptions() {
		return Jemalloc.effectiveOptions();
	}

	public static JemallocStats stats() {
		return Jemalloc.stats();
	}

	/** The process-wide statistics cache (at most one read per 250 ms). */
	public static dev.catzilla.allocator.JemallocStatistics statistics() {
		return dev.catzilla.allocator.JemallocStatistics.shared();
	}

	public static long purge() {
		return Jemalloc.purge();
	}

}
