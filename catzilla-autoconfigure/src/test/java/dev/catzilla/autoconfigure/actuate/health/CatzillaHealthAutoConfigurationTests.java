package dev.catzilla.autoconfigure.actuate.health;

import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaClientBeansAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaGatewayAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaNettyServerAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaRestClientAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaWebClientAutoConfiguration;
import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpointAutoConfiguration;
import dev.catzilla.autoconfigure.actuate.metrics.CatzillaMetricsAutoConfiguration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catzilla's health indicator: up, with the allocator's details; absent without the
 * actuator.
 */
class CatzillaHealthAutoConfigurationTests {

	private static final AutoConfigurations CATZILLA = AutoConfigurations.of(CatzillaAutoConfiguration.class,
			CatzillaNettyServerAutoConfiguration.class, CatzillaWebClientAutoConfiguration.class,
			CatzillaRestClientAutoConfiguration.class, CatzillaGatewayAutoConfiguration.class,
			CatzillaClientBeansAutoConfiguration.class, CatzillaMetricsAutoConfiguration.class,
			CatzillaEndpointAutoConfiguration.class, CatzillaHealthAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CATZILLA);

	private final ReactiveWebApplicationContextRunner webRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CATZILLA)
		.withConfiguration(
				AutoConfigurations.of(NettyReactiveWebServerAutoConfiguration.class, HttpClientAutoConfiguration.class,
						ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class));

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
