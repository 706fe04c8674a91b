package dev.catzilla.allocator;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

/**
 * Catzilla's JDK Flight Recorder events, so that a JFR recording of a service shows its
 * network-buffer memory (read with {@code jfr print --categories Catzilla} or JDK Mission
 * Control). See {@code docs/profiling.md}.
 * <ul>
 * <li>{@value #SAMPLE} (on the allocating thread, with JFR's own stack trace): each
 * buffer the {@link AllocationProfiler} samples, throttled per allocator
 * ({@link ProfilingOptions#maxJfrEventsPerSecond()}; dropped events are counted).</li>
 * <li>{@value #LEAK}: a sampled buffer the garbage collector reclaimed without a release,
 * with its site and age.</li>
 * <li>{@value #PURGE}: an explicit {@link Jemalloc#purge()} or a quiet purge, with the
 * bytes it released.</li>
 * <li>{@value #CAP_REFUSAL}: allocations refused at the cap, at most one event per second
 * per allocator (the event counts the refusals it stands for).</li>
 * <li>{@value #JEMALLOC_STATISTICS} and {@value #ALLOCATOR_STATISTICS} (periodic, every
 * 10 s by default): jemalloc's totals, and each live allocator's used, cached and capped
 * bytes.</li>
 * </ul>
 * <b>Cost.</b> When JFR does not record an event, the check for it is the only cost; the
 * allocation path pays it only for sampled buffers (one per 4 MiB allocated by default).
 * Without the {@code jdk.jfr} module (a trimmed runtime image) every method here does
 * nothing.
 * <p>
 * <b>Periodic hooks.</b> Registering a periodic event starts JFR's machinery (about 200
 * ms the first time), so the hooks are registered only once JFR runs: when an allocator
 * is built or a buffer is sampled while the recorder is initialised (a recording started
 * with {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or the API). They are
 * registered once, on a short-lived thread, as hooks made of JDK objects only
 * ({@link #weakHook}) and from a stack without Catzilla's frames
 * ({@link #addPeriodicEvent}), so that JFR keeps neither these classes nor their class
 * loader reachable; once that class loader is collected, the hooks remove themselves.
 */
final class FlightRecorderEvents {

	static final String CATEGORY = "Catzilla";

	static final String SAMPLE = "catzilla.AllocationSample";

	static final String LEAK = "catzilla.Leak";

	static final String PURGE = "catzilla.Purge";

	static final String CAP_REFUSAL = "catzilla.CapRefusal";

	static final String JEMALLOC_STATISTICS = "catzilla.JemallocStatistics";

	static final String ALLOCATOR_STATISTICS = "catzilla.AllocatorStatistics";

	/** {@value} for {@link Jemalloc#purge()}. */
	static final String EXPLICIT = "explicit";

	/** {@value} for the purge after allocation went quiet ({@link QuietPurge}). */
	static final String QUIET = "quiet";

	/**
	 * The JDK's own logger, not Netty's: purges and statistics reach this class without
	 * Netty on the class path (the diagnostics command, {@code java -jar} the allocator
	 * jar).
	 */
	private static final System.Logger logger = System.getLogger(FlightRecorderEvents.class.getName());

	/**
	 * Whether the runtime has JFR's API at all; when not, no class of {@code jdk.jfr} is
	 * ever touched.
	 */
	static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

	/** Events built because JFR recorded them (tests: none when nothing records). */
	static final LongAdder BUILT = new LongAdder();

	private static final List<WeakReference<JemallocByteBufAllocator>> allocators = new ArrayList<>();

	private static final AtomicLong allocatorIds = new AtomicLong();

	/**
	 * The periodic hooks' targets, held here strongly: the hooks JFR keeps hold them
	 * weakly ({@link #weakHook}).
	 */
	private static final Runnable jemallocHook = FlightRecorderEvents::commitJemallocStatistics;

	private static final Runnable allocatorHook = FlightRecorderEvents::commitAllocatorStatistics;

	/**
	 * Whether registration started (set under the class's lock, read without it on the
	 * sampled path).
	 */
	private static volatile boolean hooksRequested;

	private static volatile Runnable[] hooks;

	private FlightRecorderEvents() {
	}

	// ---------------------------------------------------------------- sampled
	// allocations

	/**
	 * The event for a buffer just sampled, to be committed by the caller on the
	 * allocating thread (so that JFR's stack trace starts at the allocator's entry, not
	 * in the profiler); {@code null} when JFR does not record it or the throttle turned
	 * it away.
	 */
	static Object sampled(AllocationProfiler profiler, AllocationSample sample, boolean growth) {
		if (!AVAILABLE) {
			return null;
		}
		if (!hooksRequested) {
			registerPeriodicHooksIfRecording();
		}
		AllocationSampleEvent event = new AllocationSampleEvent();
		if (!event.isEnabled()) {
			return null;
		}
		long throttled = profiler.jfrThrottle().tryAcquire();
		if (throttled < 0) {
			return null;
		}
		double weight = sample.weight(profiler.options().sampleInterval());
		event.requestedSize = sample.requestedSize;
		event.size = sample.size;
		event.usableSize = sample.usableSize;
		event.weight = weight;
		event.estimatedBytes = Math.round(sample.size * weight);
		event.site = sample.site.name();
		event.growth = growth;
		event.throttledBefore = throttled;
		BUILT.increment();
		return event;
	}

	// ---------------------------------------------------------------- leaks

	static void leaked(AllocationProfiler.Leak leak, long allocatedMillis) {
		if (!AVAILABLE) {
			return;
		}
		LeakEvent event = new LeakEvent();
		if (!event.isEnabled()) {
			return;
		}
		event.site = leak.site();
		StringBuilder stack = new StringBuilder();
		for (AllocationProfiler.Frame frame : leak.stack()) {
			stack.append(frame).append('\n');
		}
		event.stack = stack.toString();
		event.bytes = leak.bytes();
		event.estimatedBytes = leak.estimatedBytes();
		event.age = leak.ageMillis();
		event.allocationThread = leak.thread();
		event.allocationTime = allocatedMillis;
		BUILT.increment();
		event.commit();
	}

	// ---------------------------------------------------------------- purges

	/**
	 * Called before an explicit purge: the event that {@link #purged} commits, or
	 * {@code null}.
	 */
	static Object purgeBegins() {
		if (!AVAILABLE) {
			return null;
		}
		PurgeEvent event = new PurgeEvent();
		if (!event.isEnabled()) {
			return null;
		}
		event.begin();
		return event;
	}

	/** Commits the event {@link #purgeBegins()} returned (nothing when {@code null}). */
	static void purged(Object begun, String trigger, long residentBefore, long residentAfter) {
		if (begun == null) {
			return;
		}
		PurgeEvent event = (PurgeEvent) begun;
		event.end();
		event.trigger = trigger;
		event.residentBefore = residentBefore;
		event.residentAfter = residentAfter;
		event.released = Math.max(0, residentBefore - residentAfter);
		BUILT.increment();
		event.commit();
	}

	// ---------------------------------------------------------------- cap refusals

	/**
	 * A refusal at the cap: an event if JFR records it and the allocator's refusal
	 * throttle lets one through.
	 */
	static void capRefused(JemallocCapExceededException refusal, EventThrottle throttle) {
		if (!AVAILABLE) {
			return;
		}
		CapRefusalEvent event = new CapRefusalEvent();
		if (!event.isEnabled()) {
			return;
		}
		long before = throttle.tryAcquire();
		if (before < 0) {
			return;
		}
		event.requested = refusal.requested();
		event.used = refusal.used();
		event.max = refusal.max();
		event.refusals = before + 1;
		BUILT.increment();
		event.commit();
	}

	// ---------------------------------------------------------------- periodic
	// statistics

	/**
	 * jemalloc's totals: the one place that reads them (adapt here when the statistics
	 * model changes).
	 */
	private static JemallocStats statistics() {
		return Jemalloc.stats();
	}

	private static void commitJemallocStatistics() {
		// Never initialise jemalloc (or load the library) for a recording.
		if (!Jemalloc.isAvailable() || !Jemalloc.isInitialized()) {
			return;
		}
		JemallocStatisticsEvent event = new JemallocStatisticsEvent();
		if (!event.isEnabled()) {
			return;
		}
		JemallocStats stats = statistics();
		event.allocated = stats.allocated();
		event.active = stats.active();
		event.resident = stats.resident();
		event.mapped = stats.mapped();
		event.retained = stats.retained();
		event.metadata = stats.metadata();
		event.quietPurges = QuietPurge.purges();
		BUILT.increment();
		event.commit();
	}

	private static void commitAllocatorStatistics() {
		for (JemallocByteBufAllocator allocator : liveAllocators()) {
			AllocatorStatisticsEvent event = new AllocatorStatisticsEvent();
			if (!event.isEnabled()) {
				return;
			}
			AllocationProfiler profiler = allocator.profiler();
			event.allocator = name(allocator);
			event.used = allocator.usedDirectMemory();
			event.cached = allocator.cachedDirectMemory();
			event.max = allocator.maxDirectMemory();
			event.capReserve = allocator.capReserve();
			event.refusedAllocations = allocator.refusedAllocations();
			event.refusedBytes = allocator.refusedBytes();
			event.sampleInterval = profiler.options().sampleInterval();
			event.leaks = profiler.leakCount();
			event.throttledSampleEvents = profiler.jfrThrottle().dropped();
			BUILT.increment();
			event.commit();
		}
	}

	// ---------------------------------------------------------------- allocators and
	// hook registration

	/**
	 * An allocator was built: its statistics join the periodic event while it is
	 * reachable.
	 */
	static void track(JemallocByteBufAllocator allocator) {
		if (!AVAILABLE) {
			return;
		}
		synchronized (allocators) {
			allocators.removeIf((ref) -> ref.get() == null);
			allocators.add(new WeakReference<>(allocator));
			allocator.jfrId = allocatorIds.incrementAndGet();
		}
		registerPeriodicHooksIfRecording();
	}

	private static List<JemallocByteBufAllocator> liveAllocators() {
		List<JemallocByteBufAllocator> live = new ArrayList<>();
		synchronized (allocators) {
			for (Iterator<WeakReference<JemallocByteBufAllocator>> it = allocators.iterator(); it.hasNext();) {
				JemallocByteBufAllocator allocator = it.next().get();
				if (allocator == null) {
					it.remove();
				}
				else {
					live.add(allocator);
				}
			}
		}
		return live;
	}

	private static String name(JemallocByteBufAllocator allocator) {
		return (allocator == JemallocByteBufAllocator.DEFAULT) ? "default" : "allocator-" + allocator.jfrId;
	}

	/**
	 * Registers the periodic hooks once, on a short-lived thread, if JFR's recorder has
	 * been initialised.
	 */
	static void registerPeriodicHooksIfRecording() {
		if (!AVAILABLE || !FlightRecorder.isInitialized()) {
			return;
		}
		synchronized (FlightRecorderEvents.class) {
			if (hooksRequested) {
				return;
			}
			hooksRequested = true;
		}
		try {
			Thread thread = new Thread(FlightRecorderEvents::registerPeriodicHooks, "catzilla-jfr-register");
			thread.setDaemon(true);
			thread.setContextClassLoader(null);
			thread.start();
		}
		catch (Throwable ex) {
			// No thread to be had: no periodic events, everything else works.
			logger.log(System.Logger.Level.DEBUG, "Catzilla: no thread to register the JFR periodic events", ex);
		}
	}

	/** The hooks registered (tests), or {@code null} before. */
	static Runnable[] hooks() {
		return hooks;
	}

	private static void registerPeriodicHooks() {
		try {
			Runnable jemalloc = weakHook(jemallocHook);
			Runnable allocator = weakHook(allocatorHook);
			addPeriodicEvent(JemallocStatisticsEvent.class, jemalloc);
			addPeriodicEvent(AllocatorStatisticsEvent.class, allocator);
			hooks = new Runnable[] { jemalloc, allocator };
		}
		catch (Exception | LinkageError ex) {
			logger.log(System.Logger.Level.WARNING,
					"Catzilla: the JFR periodic statistics events could not be registered", ex);
		}
	}

	/**
	 * A hook made of JDK objects only: a {@link MethodHandleProxies} proxy (its class
	 * defined by the system class loader, the context class loader being {@code null}
	 * here) over method handles of JDK methods, bound to a weak reference to
	 * {@code target}. While {@code target} is reachable it runs it; once it is gone (this
	 * class loader collected), it removes itself. JFR keeps a hook for ever, so a hook of
	 * Catzilla's own class would keep this class loader reachable for the JVM's lifetime.
	 */
	static Runnable weakHook(Runnable target) throws ReflectiveOperationException {
		MethodHandles.Lookup lookup = MethodHandles.publicLookup();
		AtomicReference<Runnable> self = new AtomicReference<>();
		MethodHandle get = lookup.findVirtual(Reference.class, "get", MethodType.methodType(Object.class))
			.bindTo(new WeakReference<>(target));
		MethodHandle run = lookup.findVirtual(Runnable.class, "run", MethodType.methodType(void.class))
			.asType(MethodType.methodType(void.class, Object.class));
		MethodHandle isNull = lookup.findStatic(Objects.class, "isNull",
				MethodType.methodType(boolean.class, Object.class));
		MethodHandle remove = lookup
			.findStatic(FlightRecorder.class, "removePeriodicEvent",
					MethodType.methodType(boolean.class, Runnable.class))
			.asType(MethodType.methodType(void.class, Object.class));
		MethodHandle removeSelf = MethodHandles.foldArguments(remove,
				lookup.findVirtual(AtomicReference.class, "get", MethodType.methodType(Object.class)).bindTo(self));
		// (target or null) -> run it, or remove this hook
		MethodHandle body = MethodHandles.guardWithTest(isNull,
				MethodHandles.dropArguments(removeSelf, 0, Object.class), run);
		Runnable hook = MethodHandleProxies.asInterfaceInstance(Runnable.class, MethodHandles.foldArguments(body, get));
		self.set(hook);
		return hook;
	}

	/**
	 * {@link FlightRecorder#addPeriodicEvent}, called from a thread of the common
	 * fork-join pool through a proxy of JDK method handles, so that no frame of
	 * Catzilla's is on the stack: on JDK 17 JFR keeps the access-control context of the
	 * caller's stack with the hook, and a protection domain of Catzilla's classes in it
	 * would name (and keep) this class loader. The pool's threads are made by the JDK
	 * with a context of its own.
	 */
	private static void addPeriodicEvent(Class<?> eventClass, Runnable hook) throws Exception {
		MethodHandle add = MethodHandles.publicLookup()
			.findStatic(FlightRecorder.class, "addPeriodicEvent",
					MethodType.methodType(void.class, Class.class, Runnable.class));
		MethodHandle call = MethodHandles.insertArguments(add, 0, eventClass, hook)
			.asType(MethodType.methodType(Object.class));
		Callable<?> task = MethodHandleProxies.asInterfaceInstance(Callable.class, call);
		ForkJoinTask<?> registration = ForkJoinPool.commonPool().submit(ForkJoinTask.adapt(task));
		// Polled, not joined: get() or join() on an unfinished task may run it on this
		// thread, with our frames.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!registration.isDone()) {
			if (System.nanoTime() > deadline) {
				throw new java.util.concurrent.TimeoutException(
						"the common fork-join pool did not run the registration");
			}
			Thread.sleep(1);
		}
		registration.get(); // done: rethrows its failure, runs nothing
	}

	/**
	 * Removes the periodic hooks (tests; they also go by themselves once this class
	 * loader is collected).
	 */
	static void removePeriodicHooks() {
		Runnable[] registered = hooks;
		if (registered != null) {
			for (Runnable hook : registered) {
				FlightRecorder.removePeriodicEvent(hook);
			}
			hooks = null;
			synchronized (FlightRecorderEvents.class) {
				hooksRequested = false;
			}
		}
	}

	// ---------------------------------------------------------------- the events

	@Name(SAMPLE)
	@Label("Catzilla Sampled Allocation")
	@Category({ CATEGORY, "Network Buffers" })
	@Description("A direct buffer sampled by Catzilla's allocation profiler (about one per sample interval of bytes "
			+ "allocated), with the stack that allocated it; it stands for weight buffers of its size")
	@StackTrace(true)
	static final class AllocationSampleEvent extends Event {

		@Label("Requested Size")
		@Description("Bytes the caller asked for")
		@DataAmount
		long requestedSize;

		@Label("Size")
		@Description("Bytes the buffer holds (at least 1)")
		@DataAmount
		long size;

		@Label("Usable Size")
		@Description("Bytes jemalloc reserved for it (its size class)")
		@DataAmount
		long usableSize;

		@Label("Weight")
		@Description("How many buffers of this size the sample stands for: 1 / (1 - e^(-size/interval))")
		double weight;

		@Label("Estimated Bytes")
		@Description("Bytes the sample stands for: size times weight")
		@DataAmount
		long estimatedBytes;

		@Label("Site")
		@Description("The allocating frame, past the allocator's own frames")
		String site;

		@Label("Growth")
		@Description("Sampled when the buffer grew, not when it was allocated")
		boolean growth;

		@Label("Throttled Before")
		@Description("Sampled-allocation events of this allocator dropped by the throttle since the previous one")
		long throttledBefore;

	}

	@Name(LEAK)
	@Label("Catzilla Leak")
	@Category({ CATEGORY, "Network Buffers" })
	@Description("A sampled direct buffer the garbage collector reclaimed without a release()")
	@StackTrace(false)
	static final class LeakEvent extends Event {

		@Label("Site")
		@Description("The allocating frame")
		String site;

		@Label("Stack")
		@Description("The allocating stack, one frame a line, the allocating frame first")
		String stack;

		@Label("Bytes")
		@Description("Bytes the leaked buffer held")
		@DataAmount
		long bytes;

		@Label("Estimated Bytes")
		@Description("Bytes the sample stands for")
		@DataAmount
		long estimatedBytes;

		@Label("Age")
		@Description("Time from the allocation to its discovery as a leak")
		@Timespan(Timespan.MILLISECONDS)
		long age;

		@Label("Allocation Thread")
		String allocationThread;

		@Label("Allocation Time")
		@Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
		long allocationTime;

	}

	@Name(PURGE)
	@Label("Catzilla Purge")
	@Category({ CATEGORY, "jemalloc" })
	@Description("jemalloc purged the unused pages of every arena; the event's duration is the purge's")
	@StackTrace(false)
	static final class PurgeEvent extends Event {

		@Label("Trigger")
		@Description("explicit (Jemalloc.purge(), the endpoint's POST) or quiet (allocation went quiet)")
		String trigger;

		@Label("Released")
		@Description("Resident bytes the purge gave back")
		@DataAmount
		long released;

		@Label("Resident Before")
		@DataAmount
		long residentBefore;

		@Label("Resident After")
		@DataAmount
		long residentAfter;

	}

	@Name(CAP_REFUSAL)
	@Label("Catzilla Cap Refusal")
	@Category({ CATEGORY, "Network Buffers" })
	@Description("Allocations refused at the allocator's cap; at most one event per second per allocator, with the "
			+ "stack of the refusal that made it")
	@StackTrace(true)
	static final class CapRefusalEvent extends Event {

		@Label("Requested")
		@Description("Bytes the refused allocation asked for")
		@DataAmount
		long requested;

		@Label("Used")
		@Description("Bytes held by live buffers")
		@DataAmount
		long used;

		@Label("Cap")
		@DataAmount
		long max;

		@Label("Refusals")
		@Description("Refusals this event stands for: this one and those since the previous event")
		long refusals;

	}

	@Name(JEMALLOC_STATISTICS)
	@Label("Catzilla jemalloc Statistics")
	@Category({ CATEGORY, "jemalloc" })
	@Description("Totals of Catzilla's private jemalloc")
	@StackTrace(false)
	@Period("10 s")
	static final class JemallocStatisticsEvent extends Event {

		@Label("Allocated")
		@Description("Bytes handed out to the application (stats.allocated)")
		@DataAmount
		long allocated;

		@Label("Active")
		@Description("Bytes in active pages (stats.active)")
		@DataAmount
		long active;

		@Label("Resident")
		@Description("Bytes in physically resident pages (stats.resident)")
		@DataAmount
		long resident;

		@Label("Mapped")
		@Description("Bytes in active extents (stats.mapped)")
		@DataAmount
		long mapped;

		@Label("Retained")
		@Description("Bytes of virtual memory kept for reuse (stats.retained)")
		@DataAmount
		long retained;

		@Label("Metadata")
		@Description("Bytes of jemalloc's own metadata (stats.metadata)")
		@DataAmount
		long metadata;

		@Label("Quiet Purges")
		@Description("Purges made since the start because allocation went quiet")
		long quietPurges;

	}

	@Name(ALLOCATOR_STATISTICS)
	@Label("Catzilla Allocator Statistics")
	@Category({ CATEGORY, "Network Buffers" })
	@Description("One live JemallocByteBufAllocator: what its buffers hold against its cap")
	@StackTrace(false)
	@Period("10 s")
	static final class AllocatorStatisticsEvent extends Event {

		@Label("Allocator")
		@Description("default, or allocator-N in the order they were built")
		String allocator;

		@Label("Used")
		@Description("Bytes held by live direct buffers")
		@DataAmount
		long used;

		@Label("Cached")
		@Description("Bytes of free blocks kept in event-loop caches")
		@DataAmount
		long cached;

		@Label("Cap")
		@DataAmount
		long max;

		@Label("Cap Reserve")
		@Description("Bytes at the top of the cap kept for requests of at most 16 KiB")
		@DataAmount
		long capReserve;

		@Label("Refused Allocations")
		long refusedAllocations;

		@Label("Refused Bytes")
		@DataAmount
		long refusedBytes;

		@Label("Sample Interval")
		@Description("Mean bytes between two sampled allocations (0: sampling off)")
		@DataAmount
		long sampleInterval;

		@Label("Leaks")
		@Description("Sampled buffers reclaimed without a release so far")
		long leaks;

		@Label("Throttled Sample Events")
		@Description("Sampled-allocation events dropped by the throttle so far")
		long throttledSampleEvents;

	}

}
