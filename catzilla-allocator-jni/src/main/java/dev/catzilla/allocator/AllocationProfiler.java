package dev.catzilla.allocator;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * A sampled profile of one allocator's live direct buffers by the Java stack that
 * allocated them.
 * <p>
 * <b>Sampling.</b> Each thread counts down the bytes it allocates (and adds by growing
 * buffers) from an exponentially distributed interval of mean
 * {@link ProfilingOptions#sampleInterval() R}; the buffer whose bytes take the countdown
 * to zero is sampled and a new interval is drawn. So every byte is sampled with the same
 * probability, and a buffer of {@code Z} bytes is sampled with probability
 * {@code 1 - e^(-Z/R)}: a sample stands for {@code 1 / (1 - e^(-Z/R))} buffers of its
 * size (the weight Go's and tcmalloc's heap profiles use), which makes the estimates
 * unbiased. A buffer that is not sampled costs one thread-local lookup and one
 * subtraction.
 * <p>
 * <b>Samples.</b> A sampled buffer gets a record with its stack (depth-capped, frames and
 * stacks interned), its requested, held and usable size, time and thread; the record is
 * dropped on the buffer's release, and its size follows growth and shrinking. A sampled
 * buffer reclaimed by the garbage collector without a release is a leak: it is reported
 * with its site, bytes and age (a rate-limited WARN, {@link #leaks()}).
 * <p>
 * <b>JFR.</b> A sample is also a {@code catzilla.AllocationSample} event when a recording
 * enables it (throttled, see {@link FlightRecorderEvents}); {@link #allocated} and
 * {@link #grown} return it for the allocator to commit, so that JFR's stack trace starts
 * at the allocator and not here. A leak is a {@code catzilla.Leak} event.
 * <p>
 * <b>Bounded.</b> At most {@code maxSamples} live records, {@code maxFrames} interned
 * frames and {@code maxStacks} stacks; what did not fit is counted ({@link Memory}).
 */
public final class AllocationProfiler {

	private static final InternalLogger logger = InternalLoggerFactory.getInstance(AllocationProfiler.class);

	private static final StackWalker WALKER = StackWalker.getInstance();

	/**
	 * Classes whose frames are the allocator's own machinery, dropped from the top of
	 * every stack.
	 */
	private static final Set<String> INTERNAL = Set.of(AllocationProfiler.class.getName(),
			JemallocByteBufAllocator.class.getName(), JemallocByteBuf.class.getName(),
			"io.netty.buffer.AbstractByteBufAllocator");

	private static final int WINDOW_BUCKETS = 6;

	private static final int RECENT_LEAKS = 100;

	private final ProfilingOptions options;

	private final double mean;

	private final long bucketNanos;

	/**
	 * Event-loop threads count down in a {@link FastThreadLocal} (Netty removes it when
	 * the loop ends). Other threads share {@link #stripes} picked by thread id: a value
	 * in a plain thread's {@code ThreadLocal} would keep this class, and with it the
	 * class loader that loaded Catzilla, reachable for as long as the thread lives (the
	 * {@code main} thread: for ever). Stripe updates are plain and may race; a lost
	 * update shifts one interval.
	 */
	private final FastThreadLocal<Countdown> countdowns = new FastThreadLocal<>() {

		@Override
		protected Countdown initialValue() {
			return new Countdown(nextInterval());
		}

	};

	private final Countdown[] stripes = new Countdown[64];

	private final Set<AllocationSample> live = ConcurrentHashMap.newKeySet();

	private final AtomicInteger liveCount = new AtomicInteger();

	private final ReferenceQueue<JemallocByteBuf> queue = new ReferenceQueue<>();

	private final ConcurrentHashMap<Frame, Frame> frames = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<List<Frame>, Site> sites = new ConcurrentHashMap<>();

	private final Site frameTableFull;

	private final Site siteTableFull;

	private final LongAdder samplesTaken = new LongAdder();

	private final LongAdder samplesDropped = new LongAdder();

	private final LongAdder truncatedFrames = new LongAdder();

	private final LongAdder truncatedStacks = new LongAdder();

	private final AtomicLong leakCount = new AtomicLong();

	private final AtomicLong leakedBytes = new AtomicLong();

	private final AtomicLong leakedEstimatedBytes = new AtomicLong();

	private final ArrayDeque<Leak> recentLeaks = new ArrayDeque<>();

	private long lastLeakWarnNanos;

	private long leaksSinceWarn;

	private final long createdNanos = System.nanoTime();

	/**
	 * Lets at most {@link ProfilingOptions#maxJfrEventsPerSecond()} sampled-allocation
	 * JFR events through.
	 */
	private final EventThrottle jfrThrottle;

	AllocationProfiler(ProfilingOptions options) {
		this.options = options;
		this.mean = options.sampleInterval();
		this.bucketNanos = Math.max(1, options.window().toNanos() / WINDOW_BUCKETS);
		this.frameTableFull = new Site(List.of(new Frame("[frame table full]", "", null, -1)));
		this.siteTableFull = new Site(List.of(new Frame("[site table full]", "", null, -1)));
		this.lastLeakWarnNanos = System.nanoTime() - options.leakWarnInterval().toNanos() - 1;
		this.jfrThrottle = new EventThrottle(options.maxJfrEventsPerSecond());
	}

	/** The options this profiler runs with. */
	public ProfilingOptions options() {
		return this.options;
	}

	/** Whether allocations are sampled. */
	public boolean enabled() {
		return this.options.enabled();
	}

	/**
	 * How many buffers a sample of {@code size} bytes stands for at mean interval
	 * {@code mean}.
	 */
	static double weight(long size, double mean) {
		if (mean <= 0) {
			return 1;
		}
		double p = -Math.expm1(-Math.max(1, size) / mean);
		return 1 / p;
	}

	private long nextInterval() {
		// -ln(U) * R, U uniform in (0, 1]: exponentially distributed with mean R.
		double u = 1 - ThreadLocalRandom.current().nextDouble();
		return Math.max(1, (long) Math.ceil(-Math.log(u) * this.mean));
	}

	// ---------------------------------------------------------------- hot path hooks

	private Countdown countdown() {
		Thread thread = Thread.currentThread();
		if (thread instanceof FastThreadLocalThread loop && loop.willCleanupFastThreadLocals()) {
			return this.countdowns.get();
		}
		@SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
		long id = thread.getId();
		int i = (int) ((id * 0x9E3779B97F4A7C15L) >>> 58);
		Countdown countdown = this.stripes[i];
		if (countdown == null) {
			countdown = new Countdown(nextInterval());
			this.stripes[i] = countdown;
		}
		return countdown;
	}

	/**
	 * A new buffer of {@code size} bytes (asked for {@code requested}).
	 * @return {@code null}, or when the buffer was sampled and JFR records it, the JFR
	 * event (a {@code jdk.jfr.Event}) that the caller commits, so that the event's stack
	 * trace starts at the allocator, not in the profiler
	 */
	Object allocated(JemallocByteBuf buf, int requested, int size) {
		Countdown countdown = countdown();
		long left = countdown.left - size;
		countdown.left = left;
		if (left <= 0) {
			return sample(countdown, buf, requested, size, size, false);
		}
		return null;
	}

	/**
	 * A buffer grew by {@code delta} bytes to {@code newSize}.
	 * @return as {@link #allocated}
	 */
	Object grown(JemallocByteBuf buf, long delta, long newSize) {
		AllocationSample sample = buf.sample;
		if (sample != null) {
			sample.size = newSize;
			sample.charged += delta;
			return null;
		}
		Countdown countdown = countdown();
		long left = countdown.left - delta;
		countdown.left = left;
		if (left <= 0) {
			return sample(countdown, buf, buf.capacity(), newSize, newSize, true);
		}
		return null;
	}

	/** A sampled buffer shrank in place to {@code newSize} bytes. */
	static void shrunk(AllocationSample sample, long newSize) {
		sample.size = newSize;
	}

	/** A sampled buffer was released: its record goes. */
	void released(AllocationSample sample) {
		if (this.live.remove(sample)) {
			this.liveCount.decrementAndGet();
		}
		sample.clear();
	}

	private Object sample(Countdown countdown, JemallocByteBuf buf, int requested, long size, long charged,
			boolean growth) {
		countdown.left = nextInterval();
		pollLeaks();
		this.samplesTaken.increment();
		if (this.liveCount.incrementAndGet() > this.options.maxSamples()) {
			this.liveCount.decrementAndGet();
			this.samplesDropped.increment();
			return null;
		}
		Site site = captureSite();
		long usable = JemallocNative.usableSize(buf.memoryAddress());
		AllocationSample sample = new AllocationSample(buf, this.queue, site, requested, size, usable, charged);
		this.live.add(sample);
		buf.sample = sample;
		site.allocated(weight(charged, this.mean), size, sample.allocatedNanos, this.bucketNanos);
		Reference.reachabilityFence(buf);
		return FlightRecorderEvents.sampled(this, sample, growth);
	}

	/** The throttle of this profiler's sampled-allocation JFR events. */
	EventThrottle jfrThrottle() {
		return this.jfrThrottle;
	}

	/**
	 * Sampled-allocation JFR events dropped so far because more were due than the options
	 * allow per second.
	 */
	public long jfrEventsThrottled() {
		return this.jfrThrottle.dropped();
	}

	// ---------------------------------------------------------------- stacks

	private Site captureSite() {
		List<Frame> stack = captureStack();
		if (stack == null) {
			return this.frameTableFull;
		}
		Site site = this.sites.get(stack);
		if (site != null) {
			return site;
		}
		if (this.sites.size() >= this.options.maxStacks()) {
			this.truncatedStacks.increment();
			return this.siteTableFull;
		}
		return this.sites.computeIfAbsent(stack, Site::new);
	}

	/**
	 * The caller's stack without the allocator's own frames and without reflection's (as
	 * a {@code StackWalker} shows it), depth-capped, each frame interned; {@code null}
	 * when the frame table is full. Taken with a {@code Throwable}
	 * ({@link StackCapture}): a whole sample cost 1.6 to 2.4 times less this way than
	 * with a {@code StackWalker} walk at 10 and 50 frames on JDK 17 and 25, and about the
	 * same at 150 (the throwable fills in every frame, the walk stops at the depth cap;
	 * SampledAllocationBenchmark, docs/profiling.md). The walker remains for a JVM that
	 * omits or shortens stack traces of throwables ({@code -XX:-StackTraceInThrowable}, a
	 * tiny {@code -XX:MaxJavaStackTraceDepth}).
	 */
	private List<Frame> captureStack() {
		StackTraceElement[] trace = new StackCapture().getStackTrace();
		int from = 0;
		while (from < trace.length && INTERNAL.contains(trace[from].getClassName())) {
			from++;
		}
		if (from == trace.length) {
			return walkStack();
		}
		int depth = this.options.maxStackDepth();
		List<Frame> frames = new ArrayList<>(Math.min(depth, trace.length - from));
		for (int i = from; i < trace.length && frames.size() < depth; i++) {
			StackTraceElement e = trace[i];
			if (isReflection(e)) {
				continue;
			}
			Frame frame = intern(new Frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()));
			if (frame == null) {
				return null;
			}
			frames.add(frame);
		}
		return List.copyOf(frames);
	}

	/**
	 * Reflection's own frames, which a {@code StackWalker} hides unless asked to show
	 * them: without them a site is the same whichever way its stack was taken.
	 */
	private static boolean isReflection(StackTraceElement e) {
		String name = e.getClassName();
		return name.startsWith("jdk.internal.reflect.")
				|| (name.equals("java.lang.reflect.Method") && e.getMethodName().equals("invoke"))
				|| (name.equals("java.lang.reflect.Constructor") && e.getMethodName().equals("newInstance"));
	}

	/**
	 * The throwable a sample's stack is taken from, never thrown. Its own class, so that
	 * a JFR recording's exception statistics ({@code jdk.ExceptionStatistics}, which
	 * count every throwable created) and {@code jdk.JavaExceptionThrow} events, when
	 * enabled, show where these come from.
	 */
	private static final class StackCapture extends Throwable {

		private static final long serialVersionUID = 1L;

		StackCapture() {
			super(null, null, false, true);
		}

	}

	private List<Frame> walkStack() {
		List<Frame> stack = WALKER.walk((s) -> s.dropWhile((f) -> INTERNAL.contains(f.getClassName()))
			.limit(this.options.maxStackDepth())
			.map((f) -> intern(new Frame(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber())))
			.toList());
		return stack.contains(null) ? null : stack;
	}

	private Frame intern(Frame key) {
		Frame frame = this.frames.get(key);
		if (frame != null) {
			return frame;
		}
		if (this.frames.size() >= this.options.maxFrames()) {
			this.truncatedFrames.increment();
			return null;
		}
		Frame earlier = this.frames.putIfAbsent(key, key);
		return (earlier != null) ? earlier : key;
	}

	// ---------------------------------------------------------------- leaks

	/** Reports sampled buffers the garbage collector reclaimed without a release. */
	void pollLeaks() {
		AllocationSample sample;
		while ((sample = (AllocationSample) this.queue.poll()) != null) {
			if (this.live.remove(sample)) {
				this.liveCount.decrementAndGet();
				leaked(sample);
			}
		}
	}

	private void leaked(AllocationSample sample) {
		long now = System.nanoTime();
		long ageMillis = (now - sample.allocatedNanos) / 1_000_000;
		long bytes = sample.size;
		long estimated = Math.round(bytes * sample.weight(this.mean));
		this.leakCount.incrementAndGet();
		this.leakedBytes.addAndGet(bytes);
		this.leakedEstimatedBytes.addAndGet(estimated);
		Leak leak = new Leak(sample.site.name(), sample.site.frames, bytes, estimated, ageMillis, sample.thread,
				System.currentTimeMillis());
		String warn = null;
		synchronized (this.recentLeaks) {
			if (this.recentLeaks.size() == RECENT_LEAKS) {
				this.recentLeaks.removeFirst();
			}
			this.recentLeaks.addLast(leak);
			this.leaksSinceWarn++;
			if (now - this.lastLeakWarnNanos >= this.options.leakWarnInterval().toNanos()) {
				warn = "Catzilla: LEAK: a sampled direct buffer of " + bytes + " bytes (standing for about " + estimated
						+ " bytes) was garbage-collected without release(), " + ageMillis
						+ " ms after it was allocated on thread " + sample.thread + " at " + sample.site.name()
						+ ((this.leaksSinceWarn > 1)
								? " (" + (this.leaksSinceWarn - 1) + " more sampled leak(s) since the last warning)"
								: "")
						+ "; the profile's leaks list has their stacks";
				this.lastLeakWarnNanos = now;
				this.leaksSinceWarn = 0;
			}
		}
		if (warn != null) {
			logger.warn(warn);
		}
		FlightRecorderEvents.leaked(leak, sample.allocatedMillis);
	}

	/** Sampled buffers reclaimed without a release so far. */
	long leakCount() {
		return this.leakCount.get();
	}

	/**
	 * Sampled buffers reclaimed by the garbage collector without a release: counts and
	 * the most recent ones.
	 */
	public Leaks leaks() {
		pollLeaks();
		List<Leak> recent;
		synchronized (this.recentLeaks) {
			recent = new ArrayList<>(this.recentLeaks);
		}
		java.util.Collections.reverse(recent);
		return new Leaks(this.leakCount.get(), this.leakedBytes.get(), this.leakedEstimatedBytes.get(), recent);
	}

	// ---------------------------------------------------------------- views

	/** The live sites with the most estimated live bytes, at most {@code n}. */
	public List<SiteProfile> topLiveSites(int n) {
		List<SiteProfile> all = snapshot().sites();
		return all.subList(0, Math.min(n, all.size()));
	}

	/**
	 * A consistent-enough view of the profile now (samples taken while it is computed may
	 * or may not be in it).
	 */
	public Snapshot snapshot() {
		pollLeaks();
		long now = System.nanoTime();
		Map<Site, double[]> bySite = new HashMap<>();
		long[] bucketLimits = AGE_LIMITS_MILLIS;
		double[] ageBytes = new double[bucketLimits.length + 1];
		double[] ageCount = new double[bucketLimits.length + 1];
		int[] ageSamples = new int[bucketLimits.length + 1];
		PriorityQueue<AllocationSample> oldest = new PriorityQueue<>(
				Comparator.comparingLong((AllocationSample s) -> s.allocatedNanos).reversed());
		double totalBytes = 0;
		double totalCount = 0;
		int samples = 0;
		for (AllocationSample sample : this.live) {
			double w = sample.weight(this.mean);
			double bytes = sample.size * w;
			double[] acc = bySite.computeIfAbsent(sample.site, (s) -> new double[3]);
			acc[0] += bytes;
			acc[1] += w;
			acc[2]++;
			totalBytes += bytes;
			totalCount += w;
			samples++;
			long ageMillis = (now - sample.allocatedNanos) / 1_000_000;
			int b = 0;
			while (b < bucketLimits.length && ageMillis >= bucketLimits[b]) {
				b++;
			}
			ageBytes[b] += bytes;
			ageCount[b] += w;
			ageSamples[b]++;
			oldest.add(sample);
			if (oldest.size() > OLDEST) {
				oldest.poll();
			}
		}
		List<SiteProfile> siteProfiles = new ArrayList<>();
		for (Site site : allSites()) {
			double[] acc = bySite.getOrDefault(site, new double[3]);
			double[] window = site.window(now, this.bucketNanos);
			if (acc[2] == 0 && window[0] == 0 && site.totalBytes == 0) {
				continue;
			}
			siteProfiles.add(new SiteProfile(site.name(), site.frames, Math.round(acc[0]), Math.round(acc[1]),
					(int) acc[2], Math.round(window[0]), Math.round(window[1]), Math.round(site.totalBytes),
					Math.round(site.totalCount)));
		}
		siteProfiles.sort(Comparator.comparingLong(SiteProfile::liveBytes)
			.thenComparingLong(SiteProfile::allocatedBytes)
			.reversed());
		List<AgeBucket> ages = new ArrayList<>();
		for (int b = 0; b <= bucketLimits.length; b++) {
			ages.add(new AgeBucket(AGE_LABELS[b], (b < bucketLimits.length) ? bucketLimits[b] : -1,
					Math.round(ageBytes[b]), Math.round(ageCount[b]), ageSamples[b]));
		}
		List<LiveBuffer> oldestBuffers = new ArrayList<>();
		for (AllocationSample sample : oldest) {
			oldestBuffers.add(new LiveBuffer(sample.site.name(), sample.site.frames, sample.size, sample.requestedSize,
					sample.usableSize, (now - sample.allocatedNanos) / 1_000_000, sample.thread));
		}
		oldestBuffers.sort(Comparator.comparingLong(LiveBuffer::ageMillis).reversed());
		Memory memory = new Memory(samples, this.options.maxSamples(), this.samplesTaken.sum(),
				this.samplesDropped.sum(), this.frames.size(), this.options.maxFrames(), this.truncatedFrames.sum(),
				this.sites.size(), this.options.maxStacks(), this.truncatedStacks.sum());
		return new Snapshot(System.currentTimeMillis(), (now - this.createdNanos) / 1_000_000,
				this.options.sampleInterval(), this.options.window().toMillis(), Math.round(totalBytes),
				Math.round(totalCount), siteProfiles, ages, oldestBuffers, leaks(), memory);
	}

	private List<Site> allSites() {
		List<Site> all = new ArrayList<>(this.sites.values());
		all.add(this.frameTableFull);
		all.add(this.siteTableFull);
		return all;
	}

	private static final int OLDEST = 10;

	private static final long[] AGE_LIMITS_MILLIS = { 10, 100, 1_000, 10_000, 60_000, 600_000 };

	private static final String[] AGE_LABELS = { "<10ms", "10ms-100ms", "100ms-1s", "1s-10s", "10s-1m", "1m-10m",
			">=10m" };

	// ---------------------------------------------------------------- types

	private static final class Countdown {

		long left;

		Countdown(long left) {
			this.left = left;
		}

	}

	/**
	 * One interned stack frame.
	 *
	 * @param className the frame's class
	 * @param methodName its method
	 * @param fileName its source file, or {@code null}
	 * @param line its line, or a negative number when unknown
	 */
	public record Frame(String className, String methodName, String fileName, int line) {

		@Override
		public String toString() {
			return this.className + (this.methodName.isEmpty() ? "" : "." + this.methodName)
					+ ((this.line >= 0) ? ":" + this.line : "");
		}

		// equals and hashCode written out: a record's generated ones (bootstrapped
		// through ObjectMethods) kept the
		// class loader that loaded Catzilla reachable after its last use
		// (JemallocClassLoaderTest, profiling on).
		@Override
		public boolean equals(Object other) {
			return (other instanceof Frame that) && this.line == that.line && this.className.equals(that.className)
					&& this.methodName.equals(that.methodName)
					&& java.util.Objects.equals(this.fileName, that.fileName);
		}

		@Override
		public int hashCode() {
			return java.util.Objects.hash(this.className, this.methodName, this.fileName, this.line);
		}

	}

	/** One interned allocation stack and its allocation counters. */
	static final class Site {

		final List<Frame> frames;

		private final long[] bucketEpoch = new long[WINDOW_BUCKETS];

		private final double[] bucketBytes = new double[WINDOW_BUCKETS];

		private final double[] bucketCount = new double[WINDOW_BUCKETS];

		double totalBytes;

		double totalCount;

		Site(List<Frame> frames) {
			this.frames = frames;
			Arrays.fill(this.bucketEpoch, Long.MIN_VALUE);
		}

		/** The allocating frame: the top of the stack, {@code class.method:line}. */
		String name() {
			return this.frames.isEmpty() ? "[unknown]" : this.frames.get(0).toString();
		}

		synchronized void allocated(double weight, long size, long nanos, long bucketNanos) {
			long epoch = nanos / bucketNanos;
			int i = (int) Math.floorMod(epoch, (long) WINDOW_BUCKETS);
			if (this.bucketEpoch[i] != epoch) {
				this.bucketEpoch[i] = epoch;
				this.bucketBytes[i] = 0;
				this.bucketCount[i] = 0;
			}
			this.bucketBytes[i] += weight * size;
			this.bucketCount[i] += weight;
			this.totalBytes += weight * size;
			this.totalCount += weight;
		}

		synchronized double[] window(long nanos, long bucketNanos) {
			long epoch = nanos / bucketNanos;
			double[] sum = new double[2];
			for (int i = 0; i < WINDOW_BUCKETS; i++) {
				if (this.bucketEpoch[i] > epoch - WINDOW_BUCKETS) {
					sum[0] += this.bucketBytes[i];
					sum[1] += this.bucketCount[i];
				}
			}
			return sum;
		}

	}

	/**
	 * The profile now.
	 *
	 * @param timeMillis when it was taken (epoch milliseconds)
	 * @param uptimeMillis how long the profiler has run
	 * @param sampleInterval the mean sampling interval in bytes (0: off)
	 * @param windowMillis how far back the sites' allocated bytes look
	 * @param liveBytes estimated bytes held by live buffers
	 * @param liveBuffers estimated number of live buffers
	 * @param sites every site with live or recently allocated buffers, most live bytes
	 * first
	 * @param ages live buffers by age
	 * @param oldest the oldest sampled live buffers with their site
	 * @param leaks sampled buffers reclaimed without a release
	 * @param memory the profiler's own bookkeeping against its caps
	 */
	public record Snapshot(long timeMillis, long uptimeMillis, long sampleInterval, long windowMillis, long liveBytes,
			long liveBuffers, List<SiteProfile> sites, List<AgeBucket> ages, List<LiveBuffer> oldest, Leaks leaks,
			Memory memory) {
	}

	/**
	 * One allocation site.
	 *
	 * @param name its allocating frame
	 * @param stack its frames, the allocating one first
	 * @param liveBytes estimated live bytes
	 * @param liveBuffers estimated live buffers
	 * @param liveSamples live samples behind the estimate
	 * @param allocatedBytes estimated bytes allocated in the window
	 * @param allocatedBuffers estimated buffers allocated in the window
	 * @param allocatedBytesTotal estimated bytes allocated since the start
	 * @param allocatedBuffersTotal estimated buffers allocated since the start
	 */
	public record SiteProfile(String name, List<Frame> stack, long liveBytes, long liveBuffers, int liveSamples,
			long allocatedBytes, long allocatedBuffers, long allocatedBytesTotal, long allocatedBuffersTotal) {
	}

	/**
	 * @param label the age range
	 * @param upToMillis its upper bound (exclusive), {@code -1} for the last one
	 * @param liveBytes estimated live bytes of that age
	 * @param liveBuffers estimated live buffers of that age
	 * @param samples samples behind the estimate
	 */
	public record AgeBucket(String label, long upToMillis, long liveBytes, long liveBuffers, int samples) {
	}

	/**
	 * @param site the allocating frame
	 * @param stack the frames
	 * @param bytes bytes held now
	 * @param requestedBytes bytes asked for at allocation
	 * @param usableBytes jemalloc's usable size at allocation
	 * @param ageMillis age
	 * @param thread the allocating thread
	 */
	public record LiveBuffer(String site, List<Frame> stack, long bytes, long requestedBytes, long usableBytes,
			long ageMillis, String thread) {
	}

	/**
	 * @param count sampled buffers leaked so far
	 * @param sampledBytes their bytes
	 * @param estimatedBytes the bytes they stand for
	 * @param recent the most recent ones, newest first (at most 100)
	 */
	public record Leaks(long count, long sampledBytes, long estimatedBytes, List<Leak> recent) {
	}

	/**
	 * @param site the allocating frame
	 * @param stack the frames
	 * @param bytes the sampled buffer's bytes
	 * @param estimatedBytes the bytes it stands for
	 * @param ageMillis its age when found
	 * @param thread the allocating thread
	 * @param detectedMillis when it was found (epoch milliseconds)
	 */
	public record Leak(String site, List<Frame> stack, long bytes, long estimatedBytes, long ageMillis, String thread,
			long detectedMillis) {
	}

	/**
	 * @param liveSamples live sample records
	 * @param maxSamples their cap
	 * @param samplesTaken samples taken so far
	 * @param samplesDropped samples not recorded because the cap was reached
	 * @param frames interned frames
	 * @param maxFrames their cap
	 * @param framesDropped frames not interned because the cap was reached
	 * @param stacks interned stacks
	 * @param maxStacks their cap
	 * @param stacksDropped stacks not interned because the cap was reached
	 */
	public record Memory(int liveSamples, int maxSamples, long samplesTaken, long samplesDropped, int frames,
			int maxFrames, long framesDropped, int stacks, int maxStacks, long stacksDropped) {
	}

}
