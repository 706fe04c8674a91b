package dev.catzilla.autoconfigure.actuate.health;

import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaContextRunners;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catzilla's health indicator: up, with the allocator's details; absent without the
 * actuator.
 */
class CatzillaHealthAutoConfigurationTests {

	private final ApplicationContextRunner runner = CatzillaContextRunners.runner();

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

	@Test
	void healthIsUpWithTheAllocatorsDetails() {
		this.runner.run((context) -> {
			var health = context.getBean(CatzillaHealthIndicator.class).health(true);
			assertThat(health.getStatus().getCode()).isEqualTo("UP");
			assertThat(health.getDetails()).containsEntry("active", "jemalloc")
				.containsEntry("requested", "auto")
				.containsKeys("usedDirectMemory", "maxDirectMemory");
		});
	}

	@Test
	void withoutTheActuatorThereIsNoHealthIndicatorAndNothingFails() {
		this.webRunner
			.withClassLoader(
					new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaAllocator.class)
				.doesNotHaveBean(CatzillaHealthIndicator.class));
	}

}
