package dev.catzilla.benchmarks.http;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PlanTests {

	/** Seconds one scenario takes with six set-ups, start-up of the servers aside. */
	private static long seconds(Plan plan) {
		int setups = 6;
		long perRound = setups
				* (plan.phase().plus(plan.gap()).toSeconds() + (plan.burst() ? plan.baseline().toSeconds() : 0));
		long idle = plan.after().toSeconds() * (plan.burst() ? plan.rounds() : 1);
		return setups * plan.warmup().toSeconds() + plan.settle().plus(plan.baseline()).toSeconds()
				+ plan.rounds() * perRound + idle;
	}

	@Test
	void theDefaultRunOfTheFiveScenariosFitsInAboutSeventyMinutesOnTwoCores() {
		long total = Plan.SCENARIOS.stream().mapToLong((s) -> seconds(Plan.of(s, "default"))).sum();
		// plus about a minute of start-up per scenario
		assertThat(total).isBetween(55 * 60L, 67 * 60L);
	}

	@Test
	void theSmokeRunTakesAFewMinutes() {
		long total = Plan.SCENARIOS.stream().mapToLong((s) -> seconds(Plan.of(s, "smoke"))).sum();
		assertThat(total).isLessThan(8 * 60L);
	}

	@Test
	void theBurstsAggregatedBodiesRunAloneOnlyWhenNamed() {
		assertThat(Plan.SCENARIOS).doesNotContain("burst-aggregate");
		Plan alone = Plan.of("burst-aggregate", "default");
		Plan burst = Plan.of("burst", "default");
		assertThat(alone.burst()).isTrue();
		assertThat(alone.load().streams()).hasSize(1);
		Workload.Stream aggregate = alone.load().streams().get(0);
		Workload.Stream inTheBurst = burst.load().streams().get(1);
		assertThat(aggregate.kind()).isEqualTo(Workload.Kind.AGGREGATE).isEqualTo(inTheBurst.kind());
		assertThat(aggregate.connections()).isEqualTo(inTheBurst.connections());
		java.util.SplittableRandom a = new java.util.SplittableRandom(16);
		java.util.SplittableRandom b = new java.util.SplittableRandom(16);
		for (int i = 0; i < 100; i++) {
			assertThat(aggregate.sizes().next(a)).as("the same sizes").isEqualTo(inTheBurst.sizes().next(b));
		}
		assertThat(alone.phase()).isEqualTo(burst.phase());
		assertThat(alone.rounds()).isEqualTo(burst.rounds());
	}

	@Test
	void theLongModeRunsTheProxyForTenMinutesPerSetup() {
		assertThat(Plan.of("proxy", "long").phase()).isEqualTo(Duration.ofMinutes(10));
		assertThat(Plan.of("live", "long").phase()).isEqualTo(Plan.of("live", "default").phase());
		assertThat(Plan.of("burst", "long").rounds()).isEqualTo(Plan.of("burst", "default").rounds());
	}

	@Test
	void theMixedScenarioRunsTwoMinutesPerSetupAndTenInTheLongMode() {
		assertThat(Plan.of("mixed", "default").phase()).isEqualTo(Duration.ofMinutes(2));
		assertThat(Plan.of("mixed", "long").phase()).isEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void theLargeScenarioSendsPacedBodiesOfEightToSixtyFourMiB() {
		Workload.Stream large = Plan.of("large", "default").load().streams().get(0);
		assertThat(large.paced()).isTrue();
		java.util.SplittableRandom random = new java.util.SplittableRandom(1);
		for (int i = 0; i < 1000; i++) {
			assertThat(large.sizes().next(random)).isBetween(8 << 20, 64 << 20);
		}
	}

	@Test
	void moreRoundsCanBeAskedFor() {
		assertThat(Plan.of("large", "default").withRounds(7).rounds()).isEqualTo(7);
		assertThatIllegalArgumentException().isThrownBy(() -> Plan.of("large", "default").withRounds(0));
	}

	@Test
	void theWarmupReadsFastOnAtMostEightConnectionsForTwentySeconds() {
		Workload warmup = Plan.of("live", "default").warmupLoad();
		assertThat(warmup.streams()).allSatisfy((s) -> {
			assertThat(s.connections()).isLessThanOrEqualTo(8);
			assertThat(s.slow()).isFalse();
			assertThat(s.paced()).isFalse();
		});
		assertThat(Plan.of("live", "default").warmup()).isEqualTo(Duration.ofSeconds(20));
		assertThat(Plan.of("proxy", "default").warmupLoad().streams().get(0).connections()).isEqualTo(64);
	}

	@Test
	void everyScenarioButTheLongMixedOneHasAtLeastThreeRoundsForTheCpuVerdict() {
		for (String scenario : Plan.SCENARIOS) {
			if (!scenario.equals("mixed")) {
				assertThat(Plan.of(scenario, "default").rounds()).as(scenario).isGreaterThanOrEqualTo(3);
			}
		}
	}

	@Test
	void anUnknownScenarioOrModeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> Plan.of("soak", "default"));
		assertThatIllegalArgumentException().isThrownBy(() -> Plan.of("live", "quick"));
	}

}
