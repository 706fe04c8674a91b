package dev.catzilla.autoconfigure.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocRatio;
import dev.catzilla.allocator.JemallocStatistic;
import dev.catzilla.allocator.JemallocStatistics;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaWiring;
import dev.catzilla.autoconfigure.JemallocSupport;
import dev.catzilla.autoconfigure.PlatformInfo;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/catzilla}: which allocator serves Reactor Netty and why, the platform,
 * the native library, jemalloc's options, statistics ({@link JemallocStatistic}, by name)
 * and ratios ({@link JemallocRatio}, with their bytes), Netty's direct memory;
 * {@code /actuator/catzilla/statistics} adds each arena and size class in use; a write
 * operation purges unused jemalloc pages. Statistics come from
 * {@link JemallocStatistics#shared()} (read at most every 250 ms).
 */
@Endpoint(id = "catzilla")
public class CatzillaEndpoint {

	private final CatzillaAllocator outcome;

	private final CatzillaWiring wiring;

	public CatzillaEndpoint(CatzillaAllocator outcome, CatzillaWiring wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@ReadOperation
	public CatzillaDescriptor catzilla() {
		return new CatzillaDescriptor(this.outcome.requested().id(), this.outcome.active().id(),
				this.outcome.allocatorClass(), this.outcome.reason(), this.wiring.served(),
				this.wiring.keptOwnAllocator(), platform(), nativeLibrary(), jemalloc(), netty());
	}

	/**
	 * {@code /actuator/catzilla/{part}}: {@code profile} (see
	 * {@link CatzillaProfileReader}), {@code doctor} (see {@link CatzillaDoctorReader})
	 * or {@code statistics} (every statistic, ratio, arena and size class in use).
	 * @param part which part
	 * @param format {@code json} (default), {@code collapsed}, {@code pprof} or
	 * {@code svg} for the profile; {@code json} or {@code text} for the doctor
	 * @param value {@code live} (default) or {@code allocated}: what the flame graphs
	 * weigh
	 * @param top how many sites the JSON lists
	 * @return the part, or 404 for an unknown part
	 */
	@ReadOperation
	public WebEndpointResponse<?> part(@Selector String part, @Nullable String format, @Nullable String value,
			@Nullable Integer top) {
		if ("profile".equals(part)) {
			return new CatzillaProfileReader(this.outcome).read(format, value, top);
		}
		if ("doctor".equals(part)) {
			return new CatzillaDoctorReader(this.outcome).read(format);
		}
		if ("statistics".equals(part)) {
			if (!this.outcome.isJemalloc()) {
				return new WebEndpointResponse<>(
						new StatisticsUnavailable(
								"jemalloc is not active (" + this.outcome.active().id() + "): no jemalloc statistics"),
						WebEndpointResponse.STATUS_NOT_FOUND);
			}
			return new WebEndpointResponse<>(StatisticsDescriptor.of(JemallocSupport.statistics().get()));
		}
		return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	@WriteOperation
	public PurgeDescriptor purge() {
		if (!this.outcome.isJemalloc()) {
			return new PurgeDescriptor(false, 0, null, null,
					"jemalloc is not active (" + this.outcome.active().id() + "): nothing to purge");
		}
		long residentBefore = JemallocSupport.stats().resident();
		long released = JemallocSupport.purge();
		long residentAfter = JemallocSupport.stats().resident();
		return new PurgeDescriptor(true, released, residentBefore, residentAfter,
				"purged unused dirty and muzzy pages of every arena");
	}

	private PlatformDescriptor platform() {
		String catzillaPlatform = this.outcome.isNativeLibraryConsidered() ? JemallocSupport.platform() : null;
		return new PlatformDescriptor(PlatformInfo.os(), PlatformInfo.arch(), PlatformInfo.jvm(), PlatformInfo.libc(),
				catzillaPlatform);
	}

	private NativeLibraryDescriptor nativeLibrary() {
		if (!this.outcome.isNativeLibraryConsidered()) {
			return new NativeLibraryDescriptor("not-loaded", null, null, "catzilla.allocator=malloc");
		}
		if (!JemallocSupport.isAvailable()) {
			return new NativeLibraryDescriptor("unavailable", null, null,
					JemallocSupport.summary(this.outcome.unavailabilityCause()));
		}
		return new NativeLibraryDescriptor("loaded", JemallocSupport.libraryLocation(), JemallocSupport.version(),
				null);
	}

	private @Nullable JemallocDescriptor jemalloc() {
		if (!this.outcome.isJemalloc()) {
			return null;
		}
		boolean initialized = JemallocSupport.isInitialized();
		JemallocStatistics.Snapshot snapshot = JemallocSupport.statistics().get();
		return new JemallocDescriptor(this.outcome.requestedJemallocOptions(), JemallocSupport.effectiveOptions(),
				snapshot.totalsByKey(), RatioDescriptor.of(snapshot), snapshot.processResident(), initialized);
	}

	private NettyDescriptor netty() {
		ByteBufAllocator allocator = this.outcome.allocator();
		Long usedDirect = null;
		Long usedHeap = null;
		if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
			ByteBufAllocatorMetric metric = provider.metric();
			usedDirect = metric.usedDirectMemory();
			usedHeap = metric.usedHeapMemory();
		}
		boolean ours = this.outcome.isJemalloc() && allocator instanceof JemallocByteBufAllocator;
		Long maxDirect = ours ? ((JemallocByteBufAllocator) allocator).maxDirectMemory()
				: PlatformDependent.maxDirectMemory();
		Long cachedDirect = ours ? ((JemallocByteBufAllocator) allocator).cachedDirectMemory() : null;
		return new NettyDescriptor(this.outcome.allocatorClass(), usedDirect, cachedDirect, usedHeap, maxDirect,
				PlatformDependent.usedDirectMemory());
	}

	/**
	 * What {@code /actuator/catzilla} returns.
	 *
	 * @param requested {@code catzilla.allocator}: auto, jemalloc or malloc
	 * @param active the allocator serving Reactor Netty: jemalloc or netty
	 * @param allocatorClass the active allocator's class
	 * @param reason why this allocator is active
	 * @param served the kinds of Reactor Netty servers and clients wired to the allocator
	 * so far, e.g. {@code server}, {@code webclient}, {@code gateway-proxy}
	 * @param ownAllocatorKept the kinds where the application's own allocator was found
	 * and kept
	 * @param platform the platform
	 * @param nativeLibrary Catzilla's native library
	 * @param jemalloc jemalloc's options and counters ({@code null} unless jemalloc is
	 * active)
	 * @param netty the active allocator's memory as Netty sees it
	 */
	public record CatzillaDescriptor(String requested, String active, String allocatorClass, String reason,
			List<String> served, List<String> ownAllocatorKept, PlatformDescriptor platform,
			NativeLibraryDescriptor nativeLibrary, JemallocDescriptor jemalloc, NettyDescriptor netty) {
	}

	/**
	 * @param os operating system name and version
	 * @param arch CPU architecture as the JVM names it
	 * @param jvm the JVM's name, version and vendor
	 * @param libc the C library, e.g. {@code glibc 2.36}, or {@code unknown}
	 * @param catzillaPlatform the platform name Catzilla's native library is looked up by
	 * ({@code null} in malloc mode)
	 */
	public record PlatformDescriptor(String os, String arch, String jvm, String libc, String catzillaPlatform) {
	}

	/**
	 * @param status {@code loaded}, {@code unavailable} or {@code not-loaded} (malloc
	 * mode)
	 * @param location where it was loaded from
	 * @param version jemalloc's version
	 * @param problem why it is not loaded
	 */
	public record NativeLibraryDescriptor(String status, String location, String version, String problem) {
	}

	/**
	 * @param requestedOptions the options this application context asked jemalloc for
	 * ({@code catzilla.jemalloc.*} as {@code malloc_conf} names); jemalloc runs with
	 * another context's if that one configured it first
	 * @param effectiveOptions the {@code opt.*} values jemalloc runs with, read back from
	 * jemalloc
	 * @param stats every total of {@link JemallocStatistic} by its key
	 * ({@code allocated}, {@code active}, {@code resident}, {@code mapped},
	 * {@code retained}, {@code metadata}, {@code dirty}, ...), at most 250 ms old
	 * @param ratios every {@link JemallocRatio} by its key, with the bytes it stands for
	 * @param processResident the process's RSS in bytes ({@code /proc/self/statm}), -1
	 * when unknown
	 * @param initialized whether jemalloc has initialised
	 */
	public record JemallocDescriptor(Map<String, String> requestedOptions, Map<String, String> effectiveOptions,
			Map<String, Long> stats, Map<String, RatioDescriptor> ratios, long processResident, boolean initialized) {

		public JemallocDescriptor {
			stats = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stats));
			ratios = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ratios));
		}

	}

	/**
	 * One ratio of {@link JemallocRatio}.
	 *
	 * @param ratio numerator / denominator, 0 when the denominator is 0 (rounded to three
	 * decimals)
	 * @param bytes the bytes it stands for
	 */
	public record RatioDescriptor(double ratio, long bytes) {

		static Map<String, RatioDescriptor> of(JemallocStatistics.Snapshot snapshot) {
			Map<String, RatioDescriptor> ratios = new LinkedHashMap<>();
			for (JemallocRatio ratio : JemallocRatio.values()) {
				ratios.put(ratio.key(),
						new RatioDescriptor(Math.round(1000 * ratio.ratio(snapshot)) / 1000.0, ratio.bytes(snapshot)));
			}
			return ratios;
		}

	}

	/**
	 * What {@code /actuator/catzilla/statistics} returns: every statistic of
	 * {@link JemallocStatistic}.
	 *
	 * @param totals every total by its key
	 * @param ratios every ratio with its bytes
	 * @param processResident the process's RSS in bytes, -1 when unknown
	 * @param pageSize jemalloc's page size
	 * @param arenas each initialised arena
	 * @param bins the small size classes that hold slabs (the others are all zero)
	 * @param largeClasses the large size classes with live extents
	 */
	public record StatisticsDescriptor(Map<String, Long> totals, Map<String, RatioDescriptor> ratios,
			long processResident, long pageSize, List<JemallocStatistics.Arena> arenas,
			List<JemallocStatistics.Bin> bins,
			List<LargeClassDescriptor> largeClasses) implements OperationResponseBody {

		public StatisticsDescriptor {
			totals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(totals));
			ratios = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ratios));
			arenas = List.copyOf(arenas);
			bins = List.copyOf(bins);
			largeClasses = List.copyOf(largeClasses);
		}

		static StatisticsDescriptor of(JemallocStatistics.Snapshot snapshot) {
			return new StatisticsDescriptor(snapshot.totalsByKey(), RatioDescriptor.of(snapshot),
					snapshot.processResident(), snapshot.pageSize(), snapshot.arenas(),
					snapshot.bins().stream().filter((bin) -> bin.slabs() > 0).toList(),
					snapshot.largeClasses()
						.stream()
						.filter((large) -> large.extents() > 0)
						.map((large) -> new LargeClassDescriptor(large.index(), large.size(), large.extents(),
								large.bytes()))
						.toList());
		}

	}

	/**
	 * A large size class with live extents.
	 *
	 * @param index the class's index among the large classes
	 * @param size bytes of each extent
	 * @param extents live extents
	 * @param bytes size times extents
	 */
	public record LargeClassDescriptor(int index, long size, long extents, long bytes) {
	}

	/**
	 * @param message why there are no statistics
	 */
	public record StatisticsUnavailable(String message) implements OperationResponseBody {
	}

	/**
	 * @param allocatorClass the active allocator's class
	 * @param usedDirectMemory direct memory held by the active allocator's buffers
	 * ({@code null} if it has no metric)
	 * @param cachedDirectMemory free jemalloc blocks kept by event-loop threads for
	 * reuse, held by no buffer ({@code null} unless jemalloc is active)
	 * @param usedHeapMemory heap memory held by the active allocator's buffers
	 * ({@code null} if it has no metric)
	 * @param maxDirectMemory the cap on direct memory for the active allocator
	 * @param nettyPlatformUsedDirectMemory Netty's own direct-memory counter ({@code -1}
	 * when Netty does not count)
	 */
	public record NettyDescriptor(String allocatorClass, Long usedDirectMemory, Long cachedDirectMemory,
			Long usedHeapMemory, Long maxDirectMemory, long nettyPlatformUsedDirectMemory) {
	}

	/**
	 * @param purged whether a purge ran
	 * @param releasedBytes resident bytes the purge released
	 * @param residentBefore jemalloc's resident bytes before
	 * @param residentAfter jemalloc's resident bytes after
	 * @param message what happened
	 */
	public record PurgeDescriptor(boolean purged, long releasedBytes, Long residentBefore, Long residentAfter,
			String message) {
	}

}
