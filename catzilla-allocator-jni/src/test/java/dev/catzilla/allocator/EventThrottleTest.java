package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The token bucket behind the sampled-allocation and cap-refusal JFR events, on a clock
 * the test moves.
 */
class EventThrottleTest {

	private long now = 1_000_000_000L;

	@Test
	void aFullBucketLetsOneSecondsWorthThroughThenRefillsAtTheRate() {
		EventThrottle throttle = new EventThrottle(10, () -> this.now);
		for (int i = 0; i < 10; i++) {
			assertThat(throttle.tryAcquire()).isZero();
		}
		assertThat(throttle.tryAcquire()).isEqualTo(-1);
		assertThat(throttle.tryAcquire()).isEqualTo(-1);
		assertThat(throttle.dropped()).isEqualTo(2);
		this.now += TimeUnit.MILLISECONDS.toNanos(99);
		assertThat(throttle.tryAcquire()).as("a tenth of a second not yet passed").isEqualTo(-1);
		this.now += TimeUnit.MILLISECONDS.toNanos(1);
		assertThat(throttle.tryAcquire()).as("the next event says three were dropped before it").isEqualTo(3);
		assertThat(throttle.tryAcquire()).isEqualTo(-1);
		this.now += TimeUnit.SECONDS.toNanos(60);
		int passed = 0;
		for (int i = 0; i < 100; i++) {
			if (throttle.tryAcquire() >= 0) {
				passed++;
			}
		}
		assertThat(passed).as("an idle minute refills no more than one second's worth").isEqualTo(10);
		assertThat(throttle.dropped()).isEqualTo(4 + 90);
	}

	@Test
	void zeroLetsNothingThroughAndCountsEverything() {
		EventThrottle throttle = new EventThrottle(0, () -> this.now);
		for (int i = 0; i < 5; i++) {
			assertThat(throttle.tryAcquire()).isEqualTo(-1);
		}
		assertThat(throttle.dropped()).isEqualTo(5);
	}

	@Test
	void aClockThatGoesBackRefillsNothing() {
		EventThrottle throttle = new EventThrottle(1, () -> this.now);
		assertThat(throttle.tryAcquire()).isZero();
		this.now -= TimeUnit.SECONDS.toNanos(5);
		assertThat(throttle.tryAcquire()).isEqualTo(-1);
	}

	@Test
	void aNegativeRateIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new EventThrottle(-1));
	}

}
