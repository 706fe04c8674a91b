package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.List;

import static dev.catzilla.benchmarks.http.SizeMix.KiB;
import static dev.catzilla.benchmarks.http.SizeMix.MiB;

/**
 * How one scenario runs in one mode: the load, the durations, the rounds. Every number of
 * the benchmark is here.
 *
 * @param scenario {@code live}, {@code burst}, {@code proxy}, {@code large} or
 * {@code mixed}
 * @param mode {@code smoke}, {@code default} or {@code long}
 * @param title the heading of the scenario's results
 * @param load what each set-up gets in each round
 * @param rounds rounds; the order of the set-ups rotates by one each round
 * @param warmup per set-up, a light version of the load before anything is measured: long
 * enough for the JIT compilers (with 3 s, the first round cost every set-up 1.3-1.8x the
 * CPU per request of later rounds, and the set-up that went first in it the worst p99)
 * @param settle idle time after the warm-ups, before the baseline window
 * @param baseline the idle window whose mean RSS is the baseline (the burst scenario:
 * before each burst)
 * @param phase how long each set-up is loaded per round
 * @param gap idle time between two set-ups' phases
 * @param after idle time after the last phase (the burst scenario: after each round's
 * last burst)
 */
record Plan(String scenario, String mode, String title, Workload load, int rounds, Duration warmup, Duration settle,
		Duration baseline, Duration phase, Duration gap, Duration after) {

	static final List<String> SCENARIOS = List.of("live", "burst", "proxy", "large", "mixed");

	/**
	 * Scenarios run only when named (never by default): {@code burst-aggregate} is the
	 * burst scenario's aggregated bodies alone, without the large GETs they compete with
	 * for the CPU (issue 16 item 2).
	 */
	static final List<String> DIAGNOSTIC = List.of("burst-aggregate");

	/**
	 * Whether RSS after each loaded period is the point (burst then idle), rather than
	 * RSS under load.
	 */
	boolean burst() {
		return this.scenario.equals("burst") || this.scenario.equals("burst-aggregate");
	}

	/**
	 * The warm-up load: the same requests on at most 8 connections (64 for the proxy,
	 * whose slow upstream makes 8 a trickle, and whose buffers are small), read as fast
	 * as they come, not paced: few buffers live at once, so that what a set-up keeps
	 * after the warm-up (and so its baseline) stays small.
	 */
	Workload warmupLoad() {
		return new Workload(this.load.streams()
			.stream()
			.map((s) -> new Workload.Stream(s.name(), s.kind(),
					Math.min((s.kind() == Workload.Kind.PROXY) ? 64 : 8, s.connections()), s.sizes(), Duration.ZERO))
			.toList());
	}

	/**
	 * The same plan with {@code rounds} rounds (the script's {@code ROUNDS}: more rounds,
	 * a tighter spread).
	 */
	Plan withRounds(int rounds) {
		if (rounds < 1) {
			throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
		}
		return new Plan(this.scenario, this.mode, this.title, this.load, rounds, this.warmup, this.settle,
				this.baseline, this.phase, this.gap, this.after);
	}

	static Plan of(String scenario, String mode) {
		boolean smoke = mode.equals("smoke");
		if (!List.of("smoke", "default", "long").contains(mode)) {
			throw new IllegalArgumentException("mode is smoke, default or long, not '" + mode + "'");
		}
		Duration warmup = seconds(smoke ? 1 : 20);
		Duration settle = seconds(smoke ? 2 : 5);
		Duration baseline = seconds(smoke ? 2 : 5);
		switch (scenario) {
			case "live":
				return new Plan(scenario, mode,
						"Many live buffers: slow readers of large answers and aggregated bodies", Workload.of(
								// paced below what every set-up reached unpaced (about
								// 1,500-3,200 req/s on 2 cores)
								new Workload.Stream("aggregate", Workload.Kind.AGGREGATE, smoke ? 16 : 64,
										SizeMix.logUniform(16 * KiB, 2 * MiB), Duration.ZERO, smoke ? 200 : 1000),
								// 8 MiB: a smaller answer fits whole in the kernel's
								// socket buffers (up to 4 MiB on
								// Linux by default) and the server holds nothing; past
								// that it holds up to its write
								// prefetch (128 chunks of 64 KiB) per connection
								new Workload.Stream("slow readers", Workload.Kind.BYTES, smoke ? 50 : 200,
										SizeMix.fixed(8 * MiB), Duration.ofMillis(50))),
						smoke ? 1 : 3, warmup, settle, baseline, seconds(smoke ? 5 : 30), seconds(smoke ? 1 : 2),
						seconds(smoke ? 16 : 60));
			case "burst":
				return new Plan(scenario, mode, "Burst then idle: what each set-up holds 15 s and 60 s after a burst",
						Workload.of(
								new Workload.Stream("large GETs", Workload.Kind.BYTES, smoke ? 32 : 128,
										SizeMix.logUniform(MiB, 8 * MiB), Duration.ZERO),
								new Workload.Stream("aggregate", Workload.Kind.AGGREGATE, smoke ? 16 : 64,
										SizeMix.logUniform(64 * KiB, 4 * MiB), Duration.ZERO)),
						smoke ? 1 : 3, warmup, settle, baseline, seconds(smoke ? 3 : 10), seconds(smoke ? 2 : 5),
						seconds(smoke ? 16 : 60));
			case "burst-aggregate":
				return new Plan(scenario, mode, "Burst then idle, the aggregated bodies alone (no large GETs)",
						Workload.of(new Workload.Stream("aggregate", Workload.Kind.AGGREGATE, smoke ? 16 : 64,
								SizeMix.logUniform(64 * KiB, 4 * MiB), Duration.ZERO)),
						smoke ? 1 : 3, warmup, settle, baseline, seconds(smoke ? 3 : 10), seconds(smoke ? 2 : 5),
						seconds(smoke ? 16 : 60));
			case "proxy":
				boolean longRun = mode.equals("long");
				return new Plan(scenario, mode, "Proxy with a slow upstream, mixed sizes, 16 event loops",
						// paced below what every set-up reached unpaced (about
						// 1,700-4,300 req/s)
						Workload.of(new Workload.Stream("proxy", Workload.Kind.PROXY, smoke ? 64 : 256,
								SizeMix.logNormalWithTail(2 * KiB, 1.0, 0.02, MiB, 4 * MiB), Duration.ZERO,
								smoke ? 300 : 1500)),
						(smoke || longRun) ? 1 : 3, warmup, settle, baseline, seconds(smoke ? 5 : longRun ? 600 : 40),
						seconds(smoke ? 1 : 2), seconds(smoke ? 16 : 60));
			case "large":
				// bodies of 8-64 MiB joined whole in memory, a few at a time (run.sh
				// raises sample.aggregate.max-size),
				// beside small bodies whose latency shows what the large ones cost
				// everyone else
				return new Plan(scenario, mode, "Large bodies: 8-64 MiB joined in memory, a few at a time",
						Workload.of(
								new Workload.Stream("large bodies", Workload.Kind.AGGREGATE, 4,
										SizeMix.logUniform(8 * MiB, 64 * MiB), Duration.ZERO, smoke ? 2 : 4),
								new Workload.Stream("small bodies", Workload.Kind.AGGREGATE, 16,
										SizeMix.logUniform(4 * KiB, 64 * KiB), Duration.ZERO, 200)),
						smoke ? 1 : 3, warmup, settle, baseline, seconds(smoke ? 5 : 20), seconds(smoke ? 1 : 2),
						seconds(smoke ? 16 : 30));
			case "mixed":
				// the size mix changes every minute (every 5 s in smoke mode): small,
				// medium, large, small with a
				// MiB tail; run.sh gives the servers 16 event loops. Default ("short") 2
				// minutes per set-up, long 10.
				Duration minute = seconds(smoke ? 5 : 60);
				SizeMix mix = SizeMix.rotating(minute, SizeMix.logNormalWithTail(2 * KiB, 1.0, 0.0, MiB, MiB),
						SizeMix.logUniform(64 * KiB, MiB), SizeMix.logUniform(MiB, 8 * MiB),
						SizeMix.logNormalWithTail(4 * KiB, 1.5, 0.05, MiB, 16 * MiB));
				return new Plan(scenario, mode, "Mixed sizes over time, 16 event loops: RSS creep",
						Workload.of(
								new Workload.Stream("mixed GETs", Workload.Kind.BYTES, smoke ? 32 : 128, mix,
										Duration.ZERO, smoke ? 100 : 200),
								new Workload.Stream("mixed aggregate", Workload.Kind.AGGREGATE, smoke ? 8 : 32, mix,
										Duration.ZERO, smoke ? 25 : 50)),
						1, warmup, settle, baseline, seconds(smoke ? 20 : mode.equals("long") ? 600 : 120),
						seconds(smoke ? 1 : 2), seconds(smoke ? 16 : 60));
			default:
				throw new IllegalArgumentException(
						"scenario is one of " + SCENARIOS + " or " + DIAGNOSTIC + ", not '" + scenario + "'");
		}
	}

	private static Duration seconds(long seconds) {
		return Duration.ofSeconds(seconds);
	}

}
