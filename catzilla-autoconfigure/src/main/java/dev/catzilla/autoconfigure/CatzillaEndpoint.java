package dev.catzilla.autoconfigure;

import java.util.List;
import java.util.Map;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocStats;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/catzilla}: which allocator serves Reactor Netty and why, the platform, the native library,
 * jemalloc's options and live counters, Netty's direct memory; a write operation purges unused jemalloc pages.
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
	 * {@code /actuator/catzilla/{part}}: {@code profile} (see {@link CatzillaProfileReader}) or {@code doctor} (see
	 * {@link CatzillaDoctorReader}).
	 * @param part which part
	 * @param format {@code json} (default), {@code collapsed}, {@code pprof} or {@code svg} for the profile;
	 * {@code json} or {@code text} for the doctor
	 * @param value {@code live} (default) or {@code allocated}: what the flame graphs weigh
	 * @param top how many sites the JSON lists
	 * @return the part, or 404 for an unknown part
	 */
	@ReadOperation
	public WebEndpointResponse<?> part(@Selector String part, @org.jspecify.annotations.Nullable String format,
			@org.jspecify.annotations.Nullable String value, @org.jspecify.annotations.Nullable Integer top) {
		if ("profile".equals(part)) {
			return new CatzillaProfileReader(this.outcome).read(format, value, top);
		}
		if ("doctor".equals(part)) {
			return new CatzillaDoctorReader(this.outcome).read(format);
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

	private JemallocDescriptor jemalloc() {
		if (!this.outcome.isJemalloc()) {
			return null;
		}
		boolean initialized = JemallocSupport.isInitialized();
		JemallocStats stats = JemallocSupport.stats();
		return new JemallocDescriptor(this.outcome.requestedJemallocOptions(), JemallocSupport.effectiveOptions(),
				new StatsDescriptor(stats.allocated(), stats.active(), stats.resident(), stats.mapped(),
						stats.retained(), stats.metadata()),
				initialized);
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
	 * @param served the kinds of Reactor Netty servers and clients wired to the allocator so far, e.g.
	 * {@code server}, {@code webclient}, {@code gateway-proxy}
	 * @param ownAllocatorKept the kinds where the application's own allocator was found and kept
	 * @param platform the platform
	 * @param nativeLibrary Catzilla's native library
	 * @param jemalloc jemalloc's options and counters ({@code null} unless jemalloc is active)
	 * @param netty the active allocator's memory as Netty sees it
	 */
	public record CatzillaDescriptor(String requested, String active, String allocatorClass, String reason,
			List<String> served, List<String> ownAllocatorKept, PlatformDescriptor platform, NativeLibraryDescriptor nativeLibrary, JemallocDescriptor jemalloc,
			NettyDescriptor netty) {
	}

	/**
	 * @param os operating system name and version
	 * @param arch CPU architecture as the JVM names it
	 * @param jvm the JVM's name, version and vendor
	 * @param libc the C library, e.g. {@code glibc 2.36}, or {@code unknown}
	 * @param catzillaPlatform the platform name Catzilla's native library is looked up by ({@code null} in malloc
	 * mode)
	 */
	public record PlatformDescriptor(String os, String arch, String jvm, String libc, String catzillaPlatform) {
	}

	/**
	 * @param status {@code loaded}, {@code unavailable} or {@code not-loaded} (malloc mode)
	 * @param location where it was loaded from
	 * @param version jemalloc's version
	 * @param problem why it is not loaded
	 */
	public record NativeLibraryDescriptor(String status, String location, String version, String problem) {
	}

	/**
	 * @param requestedOptions the options this application context asked jemalloc for ({@code catzilla.jemalloc.*}
	 * as {@code malloc_conf} names); jemalloc runs with another context's if that one configured it first
	 * @param effectiveOptions the {@code opt.*} values jemalloc runs with, read back from jemalloc
	 * @param stats jemalloc's counters now
	 * @param initialized whether jemalloc has initialised
	 */
	public record JemallocDescriptor(Map<String, String> requestedOptions, Map<String, String> effectiveOptions,
			StatsDescriptor stats, boolean initialized) {
	}

	/**
	 * jemalloc's counters in bytes.
	 *
	 * @param allocated bytes handed out
	 * @param active bytes in active pages
	 * @param resident bytes in resident pages
	 * @param mapped bytes in mapped extents
	 * @param retained bytes of retained virtual memory
	 * @param metadata bytes of metadata
	 */
	public record StatsDescriptor(long allocated, long active, long resident, long mapped, long retained,
			long metadata) {
	}

	/**
	 * @param allocatorClass the active allocator's class
	 * @param usedDirectMemory direct memory held by the active allocator's buffers ({@code null} if it has no
	 * metric)
	 * @param cachedDirectMemory free jemalloc blocks kept by event-loop threads for reuse, held by no buffer
	 * ({@code null} unless jemalloc is active)
	 * @param usedHeapMemory heap memory held by the active allocator's buffers ({@code null} if it has no metric)
	 * @param maxDirectMemory the cap on direct memory for the active allocator
	 * @param nettyPlatformUsedDirectMemory Netty's own direct-memory counter ({@code -1} when Netty does not count)
	 */
	public record NettyDescriptor(String allocatorClass, Long usedDirectMemory, Long cachedDirectMemory,
			Long usedHeapMemory,
			Long maxDirectMemory, long nettyPlatformUsedDirectMemory) {
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
