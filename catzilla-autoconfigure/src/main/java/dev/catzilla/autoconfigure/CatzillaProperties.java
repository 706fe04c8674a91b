package dev.catzilla.autoconfigure;

import java.time.Duration;

import dev.catzilla.allocator.JemallocOptions;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of Catzilla, the jemalloc-backed Netty allocator for Reactor Netty.
 */
@ConfigurationProperties("catzilla")
public class CatzillaProperties {

	/**
	 * Which allocator serves Reactor Netty's buffers: auto (jemalloc if its native
	 * library loads, else Netty's default), jemalloc (fail to start without it) or malloc
	 * (Netty's default, no native code loaded).
	 */
	private AllocatorMode allocator = AllocatorMode.AUTO;

	private final Jemalloc jemalloc = new Jemalloc();

	private final Server server = new Server();

	private final Client client = new Client();

	private final Profile profile = new Profile();

	public AllocatorMode getAllocator() {
		return this.allocator;
	}

	public void setAllocator(AllocatorMode allocator) {
		this.allocator = allocator;
	}

	public Jemalloc getJemalloc() {
		return this.jemalloc;
	}

	public Server getServer() {
		return this.server;
	}

	public Client getClient() {
		return this.client;
	}

	public Profile getProfile() {
		return this.profile;
	}

	/**
	 * The sampled profile of live network buffers by Java stack
	 * ({@code /actuator/catzilla/profile}).
	 */
	public static class Profile {

		/**
		 * Mean bytes between two sampled buffer allocations (exponentially distributed);
		 * 0 turns sampling off.
		 */
		private DataSize sampleInterval = DataSize.ofMegabytes(4);

		/**
		 * Java frames kept per sampled allocation, counted from the allocating call.
		 */
		private int maxStackDepth = 64;

		/**
		 * Live sample records kept at most; samples beyond it are counted as dropped.
		 */
		private int maxSamples = 50000;

		/**
		 * Distinct stack frames interned at most.
		 */
		private int maxFrames = 20000;

		/**
		 * Distinct allocation stacks (sites) interned at most.
		 */
		private int maxStacks = 5000;

		/**
		 * How far back the profile's "allocated by site" looks.
		 */
		private Duration window = Duration.ofMinutes(1);

		/**
		 * Shortest time between two WARNs about leaked sampled buffers.
		 */
		private Duration leakWarnInterval = Duration.ofMinutes(1);

		/**
		 * Sampled-allocation JFR events (catzilla.AllocationSample) recorded per second
		 * at most; the others are counted as throttled, and 0 records none.
		 */
		private int maxJfrEventsPerSecond = 100;

		public DataSize getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(DataSize sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

		public int getMaxStackDepth() {
			return this.maxStackDepth;
		}

		public void setMaxStackDepth(int maxStackDepth) {
			this.maxStackDepth = maxStackDepth;
		}

		public int getMaxSamples() {
			return this.maxSamples;
		}

		public void setMaxSamples(int maxSamples) {
			this.maxSamples = maxSamples;
		}

		public int getMaxFrames() {
			return this.maxFrames;
		}

		public void setMaxFrames(int maxFrames) {
			this.maxFrames = maxFrames;
		}

		public int getMaxStacks() {
			return this.maxStacks;
		}

		public void setMaxStacks(int maxStacks) {
			this.maxStacks = maxStacks;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public Duration getLeakWarnInterval() {
			return this.leakWarnInterval;
		}

		public void setLeakWarnInterval(Duration leakWarnInterval) {
			this.leakWarnInterval = leakWarnInterval;
		}

		public int getMaxJfrEventsPerSecond() {
			return this.maxJfrEventsPerSecond;
		}

		public void setMaxJfrEventsPerSecond(int maxJfrEventsPerSecond) {
			this.maxJfrEventsPerSecond = maxJfrEventsPerSecond;
		}

		/**
		 * These settings as the allocator's options; an invalid value fails with the
		 * property's name.
		 */
		dev.catzilla.allocator.ProfilingOptions toOptions() {
			if (this.sampleInterval == null || this.sampleInterval.toBytes() < 0) {
				throw new InvalidConfigurationPropertyValueException("catzilla.profile.sample-interval",
						this.sampleInterval, "It must be 0 (off) or positive.");
			}
			try {
				return new dev.catzilla.allocator.ProfilingOptions(this.sampleInterval.toBytes(), this.maxStackDepth,
						this.maxSamples, this.maxFrames, this.maxStacks, this.window, this.maxJfrEventsPerSecond,
						this.leakWarnInterval);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("catzilla.profile", ex.getMessage(),
						ex.getMessage());
			}
		}

	}

	/**
	 * jemalloc's settings, read once when jemalloc initialises (before the first
	 * allocation).
	 */
	public static class Jemalloc {

		/**
		 * Whether jemalloc runs background threads that return unused pages to the
		 * operating system on time, even while the application idles.
		 */
		private boolean backgroundThread = true;

		/**
		 * How long unused dirty pages are kept before they are purged; a negative value
		 * means never.
		 */
		private Duration dirtyDecay = Duration.ofSeconds(10);

		/**
		 * How long unused muzzy pages are kept before they are purged; a negative value
		 * means never.
		 */
		private Duration muzzyDecay = Duration.ofSeconds(0);

		/**
		 * Largest allocation served from jemalloc's per-thread cache and Catzilla's
		 * event-loop caches (at most 8MB).
		 */
		private DataSize tcacheMax = DataSize.ofKilobytes(64);

		/**
		 * Number of jemalloc arenas; 0 lets jemalloc choose (four per CPU).
		 */
		private int arenas = 0;

		/**
		 * How long allocation must have dropped or stopped (frees above 64KB stopped, or
		 * the allocated bytes down to half their high, or buffers allocated at a
		 * sixteenth of their highest rate) before Catzilla empties the event loops'
		 * caches and purges every arena once, so that memory comes back soon after a load
		 * and nothing is purged under steady load; 0 means never.
		 */
		private Duration quietPurge = Duration.ofSeconds(1);

		/**
		 * Whether the quiet purge also has the JVM trim its own C heap (as jcmd's
		 * System.trim_native_heap does; glibc only), so that what the JVM itself freed
		 * during the burst comes back too.
		 */
		private boolean trimNativeHeap = true;

		/**
		 * Cap on the native memory held by live Netty buffers from jemalloc; beyond it
		 * allocation fails with a JemallocCapExceededException (answered 503 by the
		 * server). Defaults to the JVM's maximum direct memory.
		 */
		private @Nullable DataSize maxDirectMemory;

		/**
		 * Part of the cap kept for allocations of at most 16KB (reads, headers, small
		 * answers), so that a server at its cap keeps reading and answers 503; by default
		 * a sixteenth of the cap, at most 4MB; 0 means none.
		 */
		private @Nullable DataSize capReserve;

		public boolean isBackgroundThread() {
			return this.backgroundThread;
		}

		public void setBackgroundThread(boolean backgroundThread) {
			this.backgroundThread = backgroundThread;
		}

		public Duration getDirtyDecay() {
			return this.dirtyDecay;
		}

		public void setDirtyDecay(Duration dirtyDecay) {
			this.dirtyDecay = dirtyDecay;
		}

		public Duration getMuzzyDecay() {
			return this.muzzyDecay;
		}

		public void setMuzzyDecay(Duration muzzyDecay) {
			this.muzzyDecay = muzzyDecay;
		}

		public DataSize getTcacheMax() {
			return this.tcacheMax;
		}

		public void setTcacheMax(DataSize tcacheMax) {
			this.tcacheMax = tcacheMax;
		}

		public int getArenas() {
			return this.arenas;
		}

		public void setArenas(int arenas) {
			this.arenas = arenas;
		}

		public Duration getQuietPurge() {
			return this.quietPurge;
		}

		public void setQuietPurge(Duration quietPurge) {
			this.quietPurge = quietPurge;
		}

		public boolean isTrimNativeHeap() {
			return this.trimNativeHeap;
		}

		public void setTrimNativeHeap(boolean trimNativeHeap) {
			this.trimNativeHeap = trimNativeHeap;
		}

		public @Nullable DataSize getCapReserve() {
			return this.capReserve;
		}

		public void setCapReserve(@Nullable DataSize capReserve) {
			this.capReserve = capReserve;
		}

		public @Nullable DataSize getMaxDirectMemory() {
			return this.maxDirectMemory;
		}

		public void setMaxDirectMemory(@Nullable DataSize maxDirectMemory) {
			this.maxDirectMemory = maxDirectMemory;
		}

		/**
		 * These settings as {@link JemallocOptions}; a value jemalloc does not accept
		 * fails with the property's name.
		 */
		JemallocOptions toOptions() {
			JemallocOptions.Builder builder = JemallocOptions.builder()
				.backgroundThread(this.backgroundThread)
				.trimNativeHeap(this.trimNativeHeap);
			apply("catzilla.jemalloc.dirty-decay", this.dirtyDecay, () -> builder.dirtyDecay(this.dirtyDecay));
			apply("catzilla.jemalloc.muzzy-decay", this.muzzyDecay, () -> builder.muzzyDecay(this.muzzyDecay));
			apply("catzilla.jemalloc.tcache-max", this.tcacheMax,
					() -> builder.tcacheMax(required(this.tcacheMax).toBytes()));
			apply("catzilla.jemalloc.arenas", this.arenas, () -> builder.arenas(this.arenas));
			apply("catzilla.jemalloc.quiet-purge", this.quietPurge,
					() -> builder.quietPurge(required(this.quietPurge)));
			return builder.build();
		}

		/**
		 * The allocator's cap in bytes, or -1 for the allocator's default (the JVM's max
		 * direct memory).
		 */
		long maxDirectMemoryBytes() {
			if (this.maxDirectMemory == null) {
				return -1;
			}
			if (this.maxDirectMemory.toBytes() <= 0) {
				throw new InvalidConfigurationPropertyValueException("catzilla.jemalloc.max-direct-memory",
						this.maxDirectMemory, "It must be positive (or unset for the JVM's max direct memory).");
			}
			return this.maxDirectMemory.toBytes();
		}

		/**
		 * The cap reserve in bytes for a cap of {@code max} bytes (see
		 * {@link #getCapReserve()}).
		 */
		long capReserveBytes(long max) {
			if (this.capReserve == null) {
				return Math.min(max / 16, 4L * 1024 * 1024);
			}
			long reserve = this.capReserve.toBytes();
			if (reserve < 0 || reserve >= max) {
				throw new InvalidConfigurationPropertyValueException("catzilla.jemalloc.cap-reserve", this.capReserve,
						"It must be at least 0 and less than the cap (" + max + " bytes).");
			}
			return reserve;
		}

		private static <T> T required(T value) {
			if (value == null) {
				throw new IllegalArgumentException("a value is required");
			}
			return value;
		}

		private static void apply(String name, Object value, Runnable setter) {
			try {
				setter.run();
			}
			catch (IllegalArgumentException | NullPointerException ex) {
				throw new InvalidConfigurationPropertyValueException(name, value, ex.getMessage());
			}
		}

	}

	/**
	 * The Reactor Netty web server.
	 */
	public static class Server {

		/**
		 * Whether the Reactor Netty web server's channels allocate from Catzilla's
		 * allocator.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * The Reactor Netty clients Catzilla reaches; {@code enabled} switches all of them,
	 * each kind has its own switch.
	 */
	public static class Client {

		/**
		 * Whether Reactor Netty clients allocate from Catzilla's allocator at all; false
		 * leaves every client alone, whatever the per-client switches say.
		 */
		private boolean enabled = true;

		private final Toggle webclient = new Toggle();

		private final Toggle restclient = new Toggle();

		private final Toggle gateway = new Toggle();

		private final Toggle websocket = new Toggle();

		private final Toggle httpClientBeans = new Toggle();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/**
		 * The HttpClient behind the WebClient.Builder (and ClientHttpConnector) Boot
		 * builds.
		 */
		public Toggle getWebclient() {
			return this.webclient;
		}

		/**
		 * The HttpClient behind Boot's Reactor Netty request factory for RestClient and
		 * RestTemplate.
		 */
		public Toggle getRestclient() {
			return this.restclient;
		}

		/** Spring Cloud Gateway's proxy HttpClient. */
		public Toggle getGateway() {
			return this.gateway;
		}

		/** ReactorNettyWebSocketClient beans. */
		public Toggle getWebsocket() {
			return this.websocket;
		}

		/** reactor.netty.http.client.HttpClient beans the application declares. */
		public Toggle getHttpClientBeans() {
			return this.httpClientBeans;
		}

	}

	/**
	 * A switch for one kind of Reactor Netty client.
	 */
	public static class Toggle {

		/**
		 * Whether this kind of client allocates from Catzilla's allocator.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
