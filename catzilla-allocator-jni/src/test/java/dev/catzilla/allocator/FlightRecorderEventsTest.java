package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.netty.buffer.ByteBuf;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * Catzilla's JFR events, recorded in this JVM with {@link Recording} and read back with
 * {@link RecordingFile} (and once with the JDK's own {@code jfr print}).
 */
class FlightRecorderEventsTest {

	@TempDir
	Path temp;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void aSampledAllocationIsRecordedOnTheAllocatingThreadWithItsSizesSiteAndAStackThatStartsAtTheAllocator()
			throws Exception {
		JemallocByteBufAllocator allocator = everyBuffer(1000);
		List<RecordedEvent> events = record(FlightRecorderEvents.SAMPLE, () -> allocateHere(allocator, 20));
		assertThat(events).hasSize(20);
		RecordedEvent event = events.get(0);
		assertThat(event.getLong("requestedSize")).isEqualTo(1000);
		assertThat(event.getLong("size")).isEqualTo(1000);
		assertThat(event.getLong("usableSize")).isEqualTo(1024); // jemalloc's size class
		// sampled every byte: each stands for itself
		assertThat(event.getDouble("weight")).isBetween(1.0, 1.01);
		assertThat(event.getLong("estimatedBytes")).isBetween(1000L, 1010L);
		assertThat(event.getString("site")).startsWith(FlightRecorderEventsTest.class.getName() + ".allocateHere:");
		assertThat(event.getBoolean("growth")).isFalse();
		assertThat(event.getThread().getJavaName()).isEqualTo(Thread.currentThread().getName());
		List<RecordedFrame> frames = event.getStackTrace().getFrames();
		assertThat(frames.get(0).getMethod().getType().getName()).as("the event is committed by the allocator")
			.isEqualTo(JemallocByteBufAllocator.class.getName());
		assertThat(frames).extracting((f) -> f.getMethod().getType().getName())
			.as("no frame of the profiler or of JFR on the stack")
			.doesNotContain(AllocationProfiler.class.getName(), FlightRecorderEvents.class.getName())
			.noneMatch((type) -> type.startsWith("jdk.jfr"));
		int caller = indexOf(frames, "allocateHere");
		assertThat(caller).as("the caller is at most 4 frames below the top: %s", frames).isBetween(1, 4);
	}

	private static void allocateHere(JemallocByteBufAllocator allocator, int count) {
		for (int i = 0; i < count; i++) {
			allocator.directBuffer(1000).release();
		}
	}

	@Test
	void aSampledGrowthIsRecordedByTheThreadThatGrewTheBuffer() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(64 * 1024).withMaxJfrEventsPerSecond(1000))
			.build();
		List<RecordedEvent> events = record(FlightRecorderEvents.SAMPLE, () -> {
			for (int i = 0; i < 20; i++) {
				ByteBuf buf = allocator.directBuffer(16, 1 << 20);
				// grows: the growth crosses the countdown in most rounds
				buf.writeZero(256 * 1024);
				buf.release();
			}
		});
		assertThat(events).anySatisfy((e) -> {
			assertThat(e.getBoolean("growth")).isTrue();
			assertThat(e.getLong("size")).isGreaterThanOrEqualTo(256 * 1024);
			// The profiler names the first frame past the allocator (here Netty's
			// ensureWritable0); JFR's stack
			// goes on to the code that wrote.
			List<RecordedFrame> frames = e.getStackTrace().getFrames();
			assertThat(frames.get(0).getMethod().getType().getName()).isEqualTo(JemallocByteBuf.class.getName());
			assertThat(indexOf(frames, "lambda$aSampledGrowthIsRecordedByTheThreadThatGrewTheBuffer")).as("%s", frames)
				.isBetween(4, 8);
		});
	}

	@Test
	void aLeakIsRecordedWithItsSiteBytesAndAge() throws Exception {
		JemallocByteBufAllocator allocator = everyBuffer(1000);
		List<RecordedEvent> events = record(FlightRecorderEvents.LEAK, () -> {
			leakHere(allocator);
			Thread.sleep(20);
			for (int attempt = 0; attempt < 100 && allocator.profiler().leaks().count() == 0; attempt++) {
				System.gc();
				Thread.sleep(20);
			}
		});
		assertThat(events).hasSize(1);
		RecordedEvent leak = events.get(0);
		assertThat(leak.getString("site")).startsWith(FlightRecorderEventsTest.class.getName() + ".leakHere:");
		assertThat(leak.getString("stack")).startsWith(FlightRecorderEventsTest.class.getName() + ".leakHere:")
			.contains(".lambda$aLeakIsRecorded");
		assertThat(leak.getLong("bytes")).isEqualTo(777);
		assertThat(leak.getLong("estimatedBytes")).isBetween(777L, 785L);
		assertThat(leak.getDuration("age")).isGreaterThanOrEqualTo(Duration.ofMillis(20));
		assertThat(leak.getString("allocationThread")).isEqualTo(Thread.currentThread().getName());
		assertThat(leak.getInstant("allocationTime")).isBefore(leak.getStartTime());
	}

	private static void leakHere(JemallocByteBufAllocator allocator) {
		allocator.newJemallocBuffer(777, 777).writeByte(1); // dropped without release()
	}

	@Test
	void anExplicitPurgeIsRecordedWithTheBytesItReleased() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.off())
			.build();
		List<Long> released = new ArrayList<>();
		// No quiet purge may take the freed pages between the frees and the explicit
		// purge. jemalloc's background thread sometimes purges pages freed a moment ago
		// itself (seen on Temurin 25), leaving the explicit purge nothing: then again, up
		// to five times, each purge recorded.
		List<RecordedEvent> events = record(FlightRecorderEvents.PURGE, () -> QuietPurgeOff.run(() -> {
			do {
				freeManyPages(allocator);
				released.add(Jemalloc.purge());
			}
			while (released.get(released.size() - 1) == 0 && released.size() < 5);
		}));
		assertThat(released.get(released.size() - 1)).as("released by the purges: %s", released).isPositive();
		List<RecordedEvent> explicit = events.stream()
			.filter((e) -> e.getString("trigger").equals(FlightRecorderEvents.EXPLICIT))
			.sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime))
			.toList();
		assertThat(explicit).hasSameSizeAs(released);
		for (int i = 0; i < explicit.size(); i++) {
			RecordedEvent e = explicit.get(i);
			assertThat(e.getLong("released")).isEqualTo(released.get(i));
			assertThat(e.getLong("residentBefore") - e.getLong("residentAfter")).isEqualTo(released.get(i));
			assertThat(e.getDuration()).isPositive();
		}
	}

	@Test
	void theQuietPurgeIsRecordedAsQuiet() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.off())
			.build();
		Jemalloc.initialize();
		long purges = QuietPurge.purges();
		List<RecordedEvent> events = record(FlightRecorderEvents.PURGE, () -> {
			QuietPurge.configure(Duration.ofMillis(100), false);
			try {
				freeManyPages(allocator);
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				while (QuietPurge.purges() == purges && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
			}
			finally {
				QuietPurge.configure(Jemalloc.requestedOptions().quietPurge(),
						Jemalloc.requestedOptions().trimNativeHeap());
			}
		});
		assertThat(events).anySatisfy((e) -> {
			assertThat(e.getString("trigger")).isEqualTo(FlightRecorderEvents.QUIET);
			assertThat(e.getLong("released")).isEqualTo(e.getLong("residentBefore") - e.getLong("residentAfter"));
		});
	}

	/**
	 * 64 MiB in 1 MiB buffers, allocated, written and freed: dirty pages for a purge to
	 * give back.
	 */
	private static void freeManyPages(JemallocByteBufAllocator allocator) {
		List<ByteBuf> buffers = new ArrayList<>();
		for (int i = 0; i < 64; i++) {
			ByteBuf buf = allocator.directBuffer(1 << 20);
			buf.writeZero(1 << 20);
			buffers.add(buf);
		}
		buffers.forEach(ByteBuf::release);
	}

	@Test
	void refusalsAtTheCapAreRecordedAtMostOncePerSecondWithTheirCount() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.maxDirectMemory(4096)
			.profiling(ProfilingOptions.off())
			.build();
		List<RecordedEvent> events = record(FlightRecorderEvents.CAP_REFUSAL, () -> {
			for (int i = 0; i < 5; i++) {
				assertThatExceptionOfType(JemallocCapExceededException.class)
					.isThrownBy(() -> allocator.directBuffer(8192));
			}
		});
		assertThat(events).hasSize(1); // five refusals well within a second
		RecordedEvent refusal = events.get(0);
		assertThat(refusal.getLong("requested")).isEqualTo(8192);
		assertThat(refusal.getLong("max")).isEqualTo(4096);
		assertThat(refusal.getLong("used")).isZero();
		assertThat(refusal.getLong("refusals")).isEqualTo(1);
		assertThat(refusal.getStackTrace().getFrames()).extracting((f) -> f.getMethod().getName())
			.contains("refusalsAtTheCapAreRecordedAtMostOncePerSecondWithTheirCount");
		assertThat(allocator.refusedAllocations()).isEqualTo(5);
	}

	@Test
	void theThrottleCapsSampledAllocationEventsPerSecondAndCountsTheRest() throws Exception {
		JemallocByteBufAllocator allocator = everyBuffer(10);
		long start = System.nanoTime();
		List<RecordedEvent> events = record(FlightRecorderEvents.SAMPLE, () -> allocateHere(allocator, 500));
		long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
		// A full bucket of 10, then 10 more per second that passed.
		assertThat(events).hasSizeBetween(10, (int) (10 + 10 * (seconds + 1)));
		long dropped = allocator.profiler().jfrEventsThrottled();
		assertThat(dropped).isEqualTo(500 - events.size());
		long declared = events.stream().mapToLong((e) -> e.getLong("throttledBefore")).sum();
		assertThat(declared).as("each event counts the ones dropped before it").isLessThanOrEqualTo(dropped);
		assertThat(events.get(0).getLong("throttledBefore")).isZero();
	}

	@Test
	void periodicStatisticsShowJemallocsTotalsAndEachLiveAllocator() throws Exception {
		JemallocByteBufAllocator[] allocator = new JemallocByteBufAllocator[1];
		List<ByteBuf> held = new ArrayList<>();
		List<RecordedEvent> events = recordAll((recording) -> {
			recording.enable(FlightRecorderEvents.JEMALLOC_STATISTICS).withPeriod(Duration.ofMillis(100));
			recording.enable(FlightRecorderEvents.ALLOCATOR_STATISTICS).withPeriod(Duration.ofMillis(100));
		}, () -> {
			// Built while JFR runs: registers the periodic hooks (once per JVM, on a
			// thread of their own).
			allocator[0] = JemallocByteBufAllocator.builder()
				.maxDirectMemory(64 << 20)
				.profiling(ProfilingOptions.off())
				.build();
			for (int i = 0; i < 10; i++) {
				held.add(allocator[0].directBuffer(100_000));
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (FlightRecorderEvents.hooks() == null && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(FlightRecorderEvents.hooks()).as("registered").isNotNull();
			Thread.sleep(500);
		});
		held.forEach(ByteBuf::release);
		assertThat(events)
			.filteredOn((e) -> e.getEventType().getName().equals(FlightRecorderEvents.JEMALLOC_STATISTICS))
			.isNotEmpty()
			.anySatisfy((e) -> assertThat(e.getLong("allocated")).isGreaterThanOrEqualTo(1_000_000))
			.allSatisfy((e) -> {
				assertThat(e.getLong("active")).isGreaterThanOrEqualTo(e.getLong("allocated"));
				assertThat(e.getLong("resident")).isPositive();
				assertThat(e.getLong("mapped")).isGreaterThanOrEqualTo(e.getLong("active"));
				assertThat(e.getLong("metadata")).isPositive();
			});
		String name = "allocator-" + allocator[0].jfrId;
		assertThat(events)
			.filteredOn((e) -> e.getEventType().getName().equals(FlightRecorderEvents.ALLOCATOR_STATISTICS)
					&& e.getString("allocator").equals(name))
			.isNotEmpty()
			.anySatisfy((e) -> assertThat(e.getLong("used")).isEqualTo(1_000_000))
			.allSatisfy((e) -> {
				assertThat(e.getLong("used")).isBetween(0L, 1_000_000L);
				assertThat(e.getLong("max")).isEqualTo(64 << 20);
				assertThat(e.getLong("sampleInterval")).isZero();
			});
	}

	@Test
	void withNothingRecordingNoEventIsBuilt() throws Exception {
		assertThat(FlightRecorder.getFlightRecorder().getRecordings())
			.noneMatch((r) -> r.getState() == RecordingState.RUNNING);
		long built = FlightRecorderEvents.BUILT.sum();
		JemallocByteBufAllocator allocator = everyBuffer(1000);
		allocateHere(allocator, 100);
		leakHere(allocator);
		for (int attempt = 0; attempt < 100 && allocator.profiler().leaks().count() == 0; attempt++) {
			System.gc();
			Thread.sleep(20);
		}
		assertThat(allocator.profiler().leaks().count()).isEqualTo(1);
		Jemalloc.purge();
		JemallocByteBufAllocator capped = JemallocByteBufAllocator.builder().maxDirectMemory(16).build();
		assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> capped.directBuffer(32));
		assertThat(FlightRecorderEvents.BUILT.sum()).isEqualTo(built);
		assertThat(allocator.profiler().jfrEventsThrottled()).as("nothing reached the throttle").isZero();
	}

	/**
	 * A dumped recording of three sampled 1,000-byte buffers (allocated in
	 * {@link #allocateHere}) and an explicit purge.
	 */
	private Path threeSamplesAndAPurge(String name) throws Exception {
		JemallocByteBufAllocator allocator = everyBuffer(1000);
		Path file = this.temp.resolve(name);
		try (Recording recording = new Recording()) {
			recording.enable(FlightRecorderEvents.SAMPLE);
			recording.enable(FlightRecorderEvents.PURGE);
			recording.start();
			allocateHere(allocator, 3);
			Jemalloc.purge();
			recording.stop();
			recording.dump(file);
		}
		return file;
	}

	@Test
	void jfrPrintShowsTheEventsOfADumpedRecording() throws Exception {
		Path file = threeSamplesAndAPurge("catzilla.jfr");
		Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
		Process process = new ProcessBuilder(jfr.toString(), "print", "--events",
				FlightRecorderEvents.SAMPLE + "," + FlightRecorderEvents.PURGE, file.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output).contains(FlightRecorderEvents.SAMPLE + " {")
			.contains("requestedSize = 1000 bytes")
			.contains("site = \"" + FlightRecorderEventsTest.class.getName() + ".allocateHere:")
			.contains("FlightRecorderEventsTest.allocateHere(")
			.contains(FlightRecorderEvents.PURGE + " {")
			.contains("trigger = \"explicit\"");
		Files.writeString(this.temp.resolve("print.txt"), output);
	}

	@Test
	void missionControlsOwnParserReadsTheEventsWithTheirFieldsUnitsAndStacks() throws Exception {
		Path file = threeSamplesAndAPurge("catzilla-jmc.jfr");
		// JDK Mission Control's Event Browser shows what this parser (its flightrecorder
		// core library) reads.
		IItemCollection events = JfrLoaderToolkit.loadEvents(file.toFile());
		IItemIterable samples = events.apply(ItemFilters.type(FlightRecorderEvents.SAMPLE))
			.stream()
			.findFirst()
			.orElseThrow(() -> new AssertionError("JMC found no " + FlightRecorderEvents.SAMPLE + " event"));
		IType<IItem> type = samples.getType();
		assertThat(type.getName()).isEqualTo("Catzilla Sampled Allocation");
		Map<String, IAccessorKey<?>> fields = type.getAccessorKeys()
			.keySet()
			.stream()
			.collect(Collectors.toMap(IAccessorKey::getIdentifier, (key) -> key));
		assertThat(fields).containsKeys("requestedSize", "size", "usableSize", "weight", "estimatedBytes", "site",
				"growth");
		IItem sample = samples.stream().findFirst().orElseThrow();
		Object requested = type.getAccessor(fields.get("requestedSize")).getMember(sample);
		assertThat(requested).as("a memory quantity, as JMC shows it").isInstanceOf(IQuantity.class);
		assertThat(((IQuantity) requested).longValueIn(UnitLookup.BYTE)).isEqualTo(1000);
		assertThat((String) type.getAccessor(fields.get("site")).getMember(sample))
			.startsWith(FlightRecorderEventsTest.class.getName() + ".allocateHere:");
		IMCStackTrace stack = JfrAttributes.EVENT_STACKTRACE.getAccessor(type).getMember(sample);
		assertThat(stack.getFrames()).anySatisfy((frame) -> {
			assertThat(frame.getMethod().getType().getFullName()).isEqualTo(FlightRecorderEventsTest.class.getName());
			assertThat(frame.getMethod().getMethodName()).isEqualTo("allocateHere");
		});
		IItemIterable purges = events.apply(ItemFilters.type(FlightRecorderEvents.PURGE))
			.stream()
			.findFirst()
			.orElseThrow(() -> new AssertionError("JMC found no " + FlightRecorderEvents.PURGE + " event"));
		IAccessorKey<?> trigger = purges.getType()
			.getAccessorKeys()
			.keySet()
			.stream()
			.filter((key) -> key.getIdentifier().equals("trigger"))
			.findFirst()
			.orElseThrow();
		List<Object> triggers = purges.stream()
			.map((purge) -> (Object) purges.getType().getAccessor(trigger).getMember(purge))
			.toList();
		assertThat(triggers).contains("explicit");
	}

	@Test
	void thePeriodicHooksKeepNeitherTheClassesNorTheirClassLoaderReachableWhileARecordingRuns() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(FlightRecorderClassLoaderMain.class)
			.jvmArgs("-Xmx256m", "-Dio.netty.leakDetection.level=disabled")
			.run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).as(result.describe()).contains(FlightRecorderClassLoaderMain.SURVIVED);
		assertThat(result.get("hooksRegistered")).as(result.describe()).isEqualTo("true");
		assertThat(result.get("collected")).as(result.describe()).isEqualTo("true");
		assertThat(Integer.parseInt(result.get(FlightRecorderEvents.SAMPLE))).as(result.describe()).isEqualTo(50);
		// The explicit purge, and a quiet purge when the released blocks went through the
		// hand-off cache first.
		assertThat(Integer.parseInt(result.get(FlightRecorderEvents.PURGE))).as(result.describe()).isBetween(1, 2);
		assertThat(Integer.parseInt(result.get(FlightRecorderEvents.JEMALLOC_STATISTICS))).as(result.describe())
			.isPositive();
		assertThat(Integer.parseInt(result.get(FlightRecorderEvents.ALLOCATOR_STATISTICS))).as(result.describe())
			.isPositive();
	}

	@Test
	void withoutTheJdkJfrModuleSamplingLeaksPurgesAndRefusalsStillWork() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(NoFlightRecorderMain.class)
			.jvmArgs("--limit-modules", "java.base,java.logging,java.management,jdk.unsupported",
					"-Dio.netty.leakDetection.level=disabled")
			.run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("jfrModule")).as(result.describe()).isEqualTo("false");
		assertThat(Long.parseLong(result.get("samples"))).as(result.describe()).isGreaterThanOrEqualTo(100);
		assertThat(result.get("leaks")).as(result.describe()).isEqualTo("1");
		assertThat(result.get("purged")).as(result.describe()).isEqualTo("true");
		assertThat(result.get("refused")).as(result.describe()).isEqualTo("1");
	}

	// ---------------------------------------------------------------- support

	private static JemallocByteBufAllocator everyBuffer(int maxEventsPerSecond) {
		return JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1).withMaxJfrEventsPerSecond(maxEventsPerSecond))
			.build();
	}

	private static int indexOf(List<RecordedFrame> frames, String method) {
		for (int i = 0; i < frames.size(); i++) {
			if (frames.get(i).getMethod().getName().startsWith(method)) {
				return i;
			}
		}
		return -1;
	}

	interface Action {

		void run() throws Exception;

	}

	interface Settings {

		void apply(Recording recording);

	}

	/** The events named {@code eventName} recorded while {@code action} ran. */
	private List<RecordedEvent> record(String eventName, Action action) throws Exception {
		return recordAll((recording) -> recording.enable(eventName), action).stream()
			.filter((e) -> e.getEventType().getName().equals(eventName))
			.toList();
	}

	private List<RecordedEvent> recordAll(Settings settings, Action action) throws Exception {
		Path file = Files.createTempFile(this.temp, "recording", ".jfr");
		try (Recording recording = new Recording()) {
			settings.apply(recording);
			recording.start();
			action.run();
			recording.stop();
			recording.dump(file);
		}
		return RecordingFile.readAllEvents(file);
	}

}
