package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.List;

import static dev.catzilla.benchmarks.http.SizeMix.KiB;
import static dev.catzilla.benchmarks.http.SizeMix.MiB;

/**
 * How one scenario runs in one mode: the load, the durations, the rounds. Every number of the benchmark is here.
 *
 * @param scenario {@code live}, {@code burst} or {@code proxy}
 * @param mode {@code smoke}, {@code default} or {@code long}
 * @param title the heading of the scenario's results
 * @param load what each set-up gets in each round
 * @param rounds rounds; the order of the set-ups rotates by one each round
 * @param warmup per set-up, a light version of the load before anything is measured
 * @param settle idle time after the warm-ups, before the baseline window
 * @param baseline the idle window whose mean RSS is the baseline (the burst scenario: before each burst)
 * @param phase how long each set-up is loaded per round
 * @param gap idle time between two set-ups' phases
 * @param after idle time after the last phase (the burst scenario: after each round's last burst)
 */
record Plan(String scenario, String mode, String title, Workload load, int rounds, Duration warmup, Duration settle,
		Duration baseline, Duration phase, Duration gap, Duration after) {

	static final List<String> SCENARIOS = List.of("live", "burst", "proxy");

	/** Whether RSS after each loaded period is the point (burst then idle), rather than RSS under load. */
	boolean burst() {
		return this.scenario.equals("burst");
	}

	/** The warm-up load: the same requests on at most 8 connections, read as fast as they come. */
	Workload warmupLoad() {
		return new Workload(this.load.streams()
			.stream()
			.map((s) -> new Workload.Stream(s.name(), s.kind(), Math.min(8, s.connections()), s.sizes(), Duration.ZERO))
			.toList());
	}

	static Plan of(String scenario, String mode) {
		boolean smoke = mode.equals("smoke");
		if (!List.of("smoke", "default", "long").contains(mode)) {
			throw new IllegalArgumentException("mode is smoke, default or long, not '" + mode + "'");
		}
		Duration warmup = seconds(smoke ? 1 : 3);
		Duration settle = seconds(smoke ? 2 : 5);
		Duration baseline = seconds(smoke ? 2 : 5);
		switch (scenario) {
			case "live":
				return new Plan(scenario, mode, "Many live buffers: slow readers of large answers and aggregated bodies",
						Workload.of(
								new Workload.Stream("aggregate", Workload.Kind.AGGREGATE, smoke ? 16 : 64,
										SizeMix.logUniform(16 * KiB, 2 * MiB), Duration.ZERO),
								// 8 MiB: a smaller answer fits whole in the kernel's socket buffers (up to 4 MiB on
								// Linux by default) and the server holds nothing; past that it holds up to its write
								// prefetch (128 chunks of 64 KiB) per connection
								new Workload.Stream("slow readers", Workload.Kind.BYTES, smoke ? 50 : 200,
										SizeMix.fixed(8 * MiB), Duration.ofMillis(50))),
						smoke ? 1 : 2, warmup, settle, baseline, seconds(smoke ? 5 : 30), seconds(smoke ? 1 : 2),
						seconds(smoke ? 16 : 60));
			case "burst":
				return new Plan(scenario, mode, "Burst then idle: what each set-up holds 15 s and 60 s after a burst",
						Workload.of(
								new Workload.Stream("large GETs", Workload.Kind.BYTES, smoke ? 32 : 128,
										SizeMix.logUniform(MiB, 8 * MiB), Duration.ZERO),
								new Workload.Stream("aggregate", Workload.Kind.AGGREGATE, smoke ? 16 : 64,
										SizeMix.logUniform(64 * KiB, 4 * MiB), Duration.ZERO)),
						smoke ? 1 : 2, warmup, settle, baseline, seconds(smoke ? 3 : 10), seconds(smoke ? 2 : 5),
						seconds(smoke ? 16 : 60));
			case "proxy":
				boolean longRun = mode.equals("long");
				return new Plan(scenario, mode, "Proxy with a slow upstream, mixed sizes, 16 event loops",
						Workload.of(new Workload.Stream("proxy", Workload.Kind.PROXY, smoke ? 64 : 256,
								SizeMix.logNormalWithTail(2 * KiB, 1.0, 0.02, MiB, 4 * MiB), Duration.ZERO)),
						(smoke || longRun) ? 1 : 2, warmup, settle, baseline,
						seconds(smoke ? 5 : longRun ? 600 : 40), seconds(smoke ? 1 : 2), seconds(smoke ? 16 : 60));
			default:
				throw new IllegalArgumentException("scenario is one of " + SCENARIOS + ", not '" + scenario + "'");
		}
	}

	private static Duration seconds(long seconds) {
		return Duration.ofSeconds(seconds);
	}

}
