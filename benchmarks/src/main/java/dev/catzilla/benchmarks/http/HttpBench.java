package dev.catzilla.benchmarks.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one scenario of the HTTP memory benchmark against set-ups that
 * {@code benchmarks/http/run.sh} has started, then writes its table
 * ({@code <scenario>.md}) and RSS plot ({@code <scenario>-rss.png}) and raw samples.
 * <p>
 * Set-ups take turns: in each round every set-up gets the same load for the same time,
 * one after the other, the order rotated by one each round; the others idle meanwhile.
 * RSS is sampled every 500 ms and each allocator's own counters every second for all of
 * them, the whole time. <pre>
 * java -cp benchmarks.jar dev.catzilla.benchmarks.http.HttpBench --scenario live|burst|proxy|large|mixed
 *     --mode smoke|default|long --setup ours=18080:PID --setup adaptive=18081:PID ... --results DIR --raw DIR
 *     [--rounds N] [--about "what run.sh knows: command, commit, JVM options"]
 * </pre>
 */
public final class HttpBench {

	private final Plan plan;

	private final List<Setup> setups;

	private final LoadGenerator generator = new LoadGenerator("127.0.0.1", Duration.ofSeconds(120));

	/** Per set-up, per round, the results of each stream. */
	private final Map<String, List<List<LoadResult>>> results = new LinkedHashMap<>();

	/**
	 * Per set-up, per round, what its server spent in that phase (RSS at the end filled
	 * in at the end).
	 */
	private final Map<String, List<ProcessCost>> costs = new LinkedHashMap<>();

	/** Per set-up, per round, when its load ran: {start, end} epoch ms. */
	private final Map<String, List<long[]>> phases = new LinkedHashMap<>();

	private final StringBuilder log = new StringBuilder();

	private HttpBench(Plan plan, List<Setup> setups) {
		this.plan = plan;
		this.setups = setups;
		for (Setup setup : setups) {
			this.results.put(setup.name(), new ArrayList<>());
			this.phases.put(setup.name(), new ArrayList<>());
			this.costs.put(setup.name(), new ArrayList<>());
		}
	}

	public static void main(String[] args) throws Exception {
		Arguments arguments = Arguments.parse(args);
		Plan plan = Plan.of(arguments.required("scenario"), arguments.string("mode", "default"));
		String rounds = arguments.string("rounds", "");
		if (!rounds.isEmpty()) {
			plan = plan.withRounds(Integer.parseInt(rounds));
		}
		List<Setup> setups = arguments.all("setup").stream().map(Setup::parse).toList();
		if (setups.isEmpty()) {
			throw new IllegalArgumentException("no --setup name=port:pid given");
		}
		Path results = Path.of(arguments.required("results"));
		Path raw = Path.of(arguments.required("raw"));
		Files.createDirectories(results);
		Files.createDirectories(raw);
		new HttpBench(plan, setups).run(results, raw, arguments.string("about", ""));
	}

	private void run(Path resultsDir, Path raw, String about) throws IOException, InterruptedException {
		long started = System.currentTimeMillis();
		long baselineFrom;
		long baselineTo;
		try (Sampler sampler = new Sampler(this.setups, Duration.ofMillis(500), Duration.ofSeconds(1))) {
			for (Setup setup : this.setups) {
				say("warm-up " + setup.name());
				this.generator.run(this.plan.warmupLoad(), setup.port(), this.plan.warmup(), 1);
			}
			sleep(this.plan.settle());
			baselineFrom = System.currentTimeMillis();
			sleep(this.plan.baseline());
			baselineTo = System.currentTimeMillis();
			for (int round = 0; round < this.plan.rounds(); round++) {
				List<Setup> order = rotated(this.setups, round);
				for (Setup setup : order) {
					if (this.plan.burst()) {
						sleep(this.plan.baseline()); // this set-up's own pre-burst window
					}
					ProcessCost before = ProcessCost.read(setup.pid(), setup.port());
					long start = System.currentTimeMillis();
					List<LoadResult> round1 = this.generator.run(this.plan.load(), setup.port(), this.plan.phase(),
							// the same sizes for every set-up in a round: the same work
							1000L * round);
					long end = System.currentTimeMillis();
					this.costs.get(setup.name()).add(ProcessCost.read(setup.pid(), setup.port()).minus(before));
					this.results.get(setup.name()).add(round1);
					this.phases.get(setup.name()).add(new long[] { start, end });
					say(String.format(Locale.ROOT, "round %d %-22s %s", round + 1, setup.name(), describe(round1)));
					sleep(this.plan.gap());
				}
				if (this.plan.burst() || round == this.plan.rounds() - 1) {
					say("idle " + this.plan.after().toSeconds() + " s");
					sleep(this.plan.after());
				}
			}
			sleep(Duration.ofMillis(600)); // one more sample at the very end
			Map<String, Series> rss = sampler.rss();
			Map<String, List<Sampler.CounterSample>> counters = sampler.counters();
			List<SetupSummary> summaries = summarize(rss, counters, baselineFrom, baselineTo);
			Map<String, SetupSummary> byName = new LinkedHashMap<>();
			summaries.forEach((s) -> byName.put(s.setup(), s));
			List<Targets.Verdict> verdicts = new ArrayList<>(
					Targets.evaluate(byName, this.plan.burst(), !this.plan.burst()));
			Map<String, List<PhaseCost>> phaseCosts = phaseCosts(rss);
			Workload.Stream reported = this.plan.load().streams().get(0);
			if (reported.paced() && byName.containsKey(Setup.OURS)) {
				// at a fixed offered rate every set-up answers the same requests/s: the
				// throughput target becomes
				// "the offered rate was served" (within 3 %), and the cost table says
				// what it cost
				verdicts.removeIf((v) -> v.target().startsWith("throughput"));
				double served = byName.get(Setup.OURS).medianRequestsPerSecond();
				verdicts.add(0,
						new Targets.Verdict(
								"the offered rate is served (>= 0.97x)", String.format(Locale.ROOT,
										"%.1f of %.1f req/s offered (median)", served, reported.rate()),
								served >= 0.97 * reported.rate()));
			}
			if (phaseCosts.containsKey(Setup.OURS)) {
				for (String other : List.of(Setup.REFERENCE, "trim-native")) {
					if (phaseCosts.containsKey(other)) {
						verdicts.add(PhaseCost.cpuVerdict(phaseCosts.get(Setup.OURS), other, phaseCosts.get(other)));
					}
				}
			}
			String chart = this.plan.scenario() + "-rss.png";
			Map<String, Long> zero = new LinkedHashMap<>();
			for (Setup setup : this.setups) {
				zero.put(setup.name(), this.plan.burst() ? this.phases.get(setup.name()).get(0)[1] : started);
			}
			RssChart.write(resultsDir.resolve(chart), this.plan.title() + " (" + this.plan.mode() + " run)", this.plan
				.burst() ? "seconds since the end of this set-up's first burst (lines: the burst's end, +15 s, +60 s)"
						: "seconds since the scenario started (warm-ups, baseline, then the rounds; lines: each set-up's turn)",
					rss, zero, markers(started));
			String markdown = Report.markdown(this.plan.title(), method(about + serving(counters), started), summaries,
					verdicts, chart, PhaseCost.table(phaseCosts));
			Files.writeString(resultsDir.resolve(this.plan.scenario() + ".md"), markdown);
			writeRaw(raw, rss, counters, phaseCosts);
			System.out.println(markdown);
		}
	}

	private Map<String, List<PhaseCost>> phaseCosts(Map<String, Series> rss) {
		Map<String, List<PhaseCost>> all = new LinkedHashMap<>();
		for (Setup setup : this.setups) {
			List<PhaseCost> rounds = new ArrayList<>();
			List<ProcessCost> spent = this.costs.get(setup.name());
			for (int i = 0; i < spent.size(); i++) {
				long end = this.phases.get(setup.name()).get(i)[1];
				double rssAtEnd = rss.get(setup.name()).at(end, 2000).map((p) -> (double) p.value()).orElse(Double.NaN);
				rounds
					.add(PhaseCost.of(spent.get(i), this.results.get(setup.name()).get(i), this.plan.load(), rssAtEnd));
			}
			all.put(setup.name(), rounds);
		}
		return all;
	}

	private List<SetupSummary> summarize(Map<String, Series> rss, Map<String, List<Sampler.CounterSample>> counters,
			long baselineFrom, long baselineTo) {
		List<SetupSummary> summaries = new ArrayList<>();
		for (Setup setup : this.setups) {
			Series series = rss.get(setup.name());
			List<Sampler.CounterSample> samples = counters.get(setup.name());
			List<long[]> ran = this.phases.get(setup.name());
			Memory memory;
			if (this.plan.burst()) {
				List<Memory> rounds = new ArrayList<>();
				long window = this.plan.baseline().toMillis();
				for (long[] burst : ran) {
					rounds.add(Memory.of(series, samples, burst[0] - window, burst[0], burst[0], burst[1]));
				}
				memory = Memory.median(rounds);
			}
			else {
				memory = Memory.of(series, samples, baselineFrom, baselineTo, ran.get(0)[0],
						ran.get(ran.size() - 1)[1]);
			}
			double end = series.last().map((p) -> (double) p.value()).orElse(Double.NaN);
			summaries.add(new SetupSummary(setup.name(), this.results.get(setup.name()), memory, end));
		}
		return summaries;
	}

	private String method(String about, long started) {
		Plan p = this.plan;
		StringBuilder streams = new StringBuilder();
		for (Workload.Stream s : p.load().streams()) {
			streams.append(String.format(Locale.ROOT, "%s%s (%s, %d connections%s%s)",
					(streams.length() > 0) ? "; " : "", s.name(), s.kind().path, s.connections(),
					s.slow() ? ", each pausing " + s.readPause().toMillis() + " ms after every read" : "", s.paced()
							? String.format(Locale.ROOT, ", paced at %.0f req/s offered", s.rate()) : ", closed loop"));
		}
		return String.format(Locale.ROOT,
				"""
						Run %s (mode `%s`), %d round(s); in each round every set-up in turn gets %d s of: %s. The order of the
						set-ups rotates by one each round; the others idle meanwhile. %s
						Requests/s, p50 and p99 are those of the first stream (medians over rounds); errors are non-2xx answers
						and failed requests of all streams. RSS from `/proc/<pid>/status` every 0.5 s. *Baseline*: mean RSS over
						%d s of idle %s. *Peak*: the highest sample %s. *+15 s*, *+60 s*: RSS that long after %s (n/a: the run
						was shorter). *Allocator's count*: `netty.usedDirectMemory` of `/actuator/catzilla` at the sample
						nearest the peak (Catzilla and unpooled: live buffers; Netty's pooled and adaptive: the chunks they hold,
						live or not). *Fragmentation at peak* = peak - baseline - allocator's count: memory that no buffer
						accounts for. *Back within 32 MiB of baseline after*: the first RSS sample at most 32 MiB above the
						baseline after the set-up's last phase (burst: after each burst, median over bursts; never: not
						while sampled). n/a where a figure was not available.

						%s
						""",
				Instant.ofEpochMilli(started), p.mode(), p.rounds(), p.phase().toSeconds(), streams,
				p.burst()
						? "Bursts are followed by " + p.gap().toSeconds()
								+ " s of idle before the next set-up's, and each round ends with "
								+ p.after().toSeconds() + " s of idle; the memory figures are medians over rounds."
						: "",
				p.baseline().toSeconds(),
				p.burst() ? "before each burst" : "after the warm-ups, before the first round",
				p.burst() ? "during the burst" : "from its first phase to its last",
				p.burst() ? "the burst ended" : "its last phase ended", about);
	}

	/**
	 * Burst: the burst's end and the moments RSS is read after it. Otherwise: where each
	 * set-up's turn began.
	 */
	private List<RssChart.Marker> markers(long started) {
		List<RssChart.Marker> markers = new ArrayList<>();
		if (this.plan.burst()) {
			markers.add(new RssChart.Marker(0, "burst end"));
			markers.add(new RssChart.Marker(15, "+15 s"));
			markers.add(new RssChart.Marker(60, "+60 s"));
			return markers;
		}
		for (Map.Entry<String, List<long[]>> entry : this.phases.entrySet()) {
			for (long[] phase : entry.getValue()) {
				markers.add(new RssChart.Marker((phase[0] - started) / 1000.0, entry.getKey()));
			}
		}
		return markers;
	}

	/**
	 * Which allocator each set-up's server said it used, so a mis-started set-up shows in
	 * the results.
	 */
	private static String serving(Map<String, List<Sampler.CounterSample>> counters) {
		StringBuilder text = new StringBuilder("\n\nServing allocator per set-up, from `/actuator/catzilla`: ");
		String separator = "";
		for (Map.Entry<String, List<Sampler.CounterSample>> entry : counters.entrySet()) {
			String allocator = entry.getValue().isEmpty() ? "unknown (no answer)"
					: entry.getValue().get(0).counters().allocatorClass().replaceAll(".*\\.", "");
			text.append(separator).append(entry.getKey()).append(" = `").append(allocator).append('`');
			separator = ", ";
		}
		return text.append('.').toString();
	}

	private static String describe(List<LoadResult> results) {
		StringBuilder text = new StringBuilder();
		for (LoadResult r : results) {
			text.append(String.format(Locale.ROOT, "[%s: %.0f req/s, p50 %.1f ms, p99 %.1f ms, %d errors] ", r.stream(),
					r.requestsPerSecond(), r.latencyMillis(50), r.latencyMillis(99), r.errors()));
		}
		return text.toString();
	}

	static <T> List<T> rotated(List<T> items, int by) {
		List<T> result = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			result.add(items.get((i + by) % items.size()));
		}
		return result;
	}

	private void writeRaw(Path raw, Map<String, Series> rss, Map<String, List<Sampler.CounterSample>> counters,
			Map<String, List<PhaseCost>> phaseCosts) throws IOException {
		String prefix = this.plan.scenario() + "-";
		for (Setup setup : this.setups) {
			StringBuilder costTsv = new StringBuilder(
					"round\tcpu_s\tminflt\tgc_pause_ms\tanswered\tmib_moved\trss_end_bytes\n");
			List<PhaseCost> rounds = phaseCosts.get(setup.name());
			for (int i = 0; i < rounds.size(); i++) {
				costTsv.append(i + 1).append('\t').append(rounds.get(i).tsv()).append('\n');
			}
			Files.writeString(raw.resolve(prefix + "cost-" + setup.name() + ".tsv"), costTsv);
			StringBuilder tsv = new StringBuilder("epoch_ms\trss_bytes\n");
			rss.get(setup.name())
				.points()
				.forEach((p) -> tsv.append(p.millis()).append('\t').append(p.value()).append('\n'));
			Files.writeString(raw.resolve(prefix + "rss-" + setup.name() + ".tsv"), tsv);
			StringBuilder c = new StringBuilder(
					"epoch_ms\tallocator\tnetty_used\tnetty_cached\tjemalloc_allocated\tjemalloc_resident\n");
			for (Sampler.CounterSample s : counters.get(setup.name())) {
				Counters k = s.counters();
				c.append(s.millis())
					.append('\t')
					.append(k.allocatorClass())
					.append('\t')
					.append(k.nettyUsed())
					.append('\t')
					.append(k.nettyCached())
					.append('\t')
					.append(k.jemallocAllocated())
					.append('\t')
					.append(k.jemallocResident())
					.append('\n');
			}
			Files.writeString(raw.resolve(prefix + "counters-" + setup.name() + ".tsv"), c);
		}
		Files.writeString(raw.resolve(prefix + "log.txt"), this.log);
	}

	private void say(String line) {
		String stamped = Instant.now().toString().substring(11, 19) + " " + this.plan.scenario() + ": " + line;
		System.err.println(stamped);
		this.log.append(stamped).append('\n');
	}

	private static void sleep(Duration duration) throws InterruptedException {
		Thread.sleep(duration.toMillis());
	}

}
