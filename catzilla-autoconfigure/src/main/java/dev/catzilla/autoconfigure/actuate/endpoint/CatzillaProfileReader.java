package dev.catzilla.autoconfigure.actuate.endpoint;

import java.util.List;
import java.util.Locale;

import dev.catzilla.allocator.AllocationProfiler;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.ProfileFormats;
import dev.catzilla.autoconfigure.CatzillaAllocator;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.MimeType;

/**
 * {@code /actuator/catzilla/profile}: the sampled profile of live network buffers by Java
 * stack, as JSON (default), {@code ?format=collapsed} (flame-graph text),
 * {@code ?format=pprof} (gzipped protobuf) or {@code ?format=svg} (flame graph);
 * {@code ?value=allocated} weighs the flame graphs by recently allocated instead of live
 * bytes, and {@code ?top=N} limits the JSON's sites (default 20).
 */
final class CatzillaProfileReader {

	static final int DEFAULT_TOP = 20;

	private static final MimeType TEXT = MimeType.valueOf("text/plain;charset=UTF-8");

	private static final MimeType PPROF = MimeType.valueOf("application/octet-stream");

	private static final MimeType SVG = MimeType.valueOf("image/svg+xml");

	private final CatzillaAllocator outcome;

	CatzillaProfileReader(CatzillaAllocator outcome) {
		this.outcome = outcome;
	}

	WebEndpointResponse<?> read(String format, String value, Integer top) {
		if (!(this.outcome.allocator() instanceof JemallocByteBufAllocator jemalloc) || !this.outcome.isJemalloc()) {
			return new WebEndpointResponse<>(
					new ProfileUnavailable(
							"jemalloc is not active (" + this.outcome.active().id() + "): nothing is profiled"),
					WebEndpointResponse.STATUS_NOT_FOUND);
		}
		ProfileFormats.Value weigh;
		try {
			weigh = (value == null) ? ProfileFormats.Value.LIVE
					: ProfileFormats.Value.valueOf(value.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			return badRequest("value must be live or allocated, but was '" + value + "'");
		}
		if (top != null && top < 0) {
			return badRequest("top must not be negative, but was " + top);
		}
		AllocationProfiler.Snapshot snapshot = jemalloc.profiler().snapshot();
		String f = (format == null) ? "json" : format.toLowerCase(Locale.ROOT);
		return switch (f) {
			case "json" -> new WebEndpointResponse<>(ProfileDescriptor.of(snapshot, (top != null) ? top : DEFAULT_TOP));
			case "collapsed" -> new WebEndpointResponse<>(ProfileFormats.collapsed(snapshot, weigh), TEXT);
			case "pprof" -> new WebEndpointResponse<>(ProfileFormats.pprof(snapshot), PPROF);
			case "svg" -> new WebEndpointResponse<>(ProfileFormats.svg(snapshot, weigh), SVG);
			default -> badRequest("format must be json, collapsed, pprof or svg, but was '" + format + "'");
		};
	}

	private static WebEndpointResponse<ProfileUnavailable> badRequest(String message) {
		return new WebEndpointResponse<>(new ProfileUnavailable(message), WebEndpointResponse.STATUS_BAD_REQUEST);
	}

	/**
	 * What {@code /actuator/catzilla/profile} returns as JSON.
	 *
	 * @param sampleInterval mean bytes between samples (0: sampling off)
	 * @param liveBytes estimated bytes held by live buffers
	 * @param liveBuffers estimated live buffers
	 * @param sites the sites with the most live bytes (then most recently allocated), at
	 * most {@code top}
	 * @param otherSites how many further sites were left out
	 * @param ages live buffers by age
	 * @param oldest the oldest sampled live buffers with their site
	 * @param leaks sampled buffers collected without a release
	 * @param profiler the profiler's own bookkeeping against its caps
	 */
	record ProfileDescriptor(long sampleInterval, long windowMillis, long liveBytes, long liveBuffers,
			List<AllocationProfiler.SiteProfile> sites, int otherSites, List<AllocationProfiler.AgeBucket> ages,
			List<AllocationProfiler.LiveBuffer> oldest, AllocationProfiler.Leaks leaks,
			AllocationProfiler.Memory profiler) implements OperationResponseBody {

		static ProfileDescriptor of(AllocationProfiler.Snapshot s, int top) {
			List<AllocationProfiler.SiteProfile> sites = s.sites().subList(0, Math.min(top, s.sites().size()));
			return new ProfileDescriptor(s.sampleInterval(), s.windowMillis(), s.liveBytes(), s.liveBuffers(),
					List.copyOf(sites), s.sites().size() - sites.size(), s.ages(), s.oldest(), s.leaks(), s.memory());
		}

	}

	/**
	 * @param message why there is no profile
	 */
	record ProfileUnavailable(String message) implements OperationResponseBody {
	}

}
