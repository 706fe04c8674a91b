package dev.catzilla.autoconfigure.actuate.endpoint;

import dev.catzilla.autoconfigure.ActiveAllocator;
import dev.catzilla.autoconfigure.AllocatorMode;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaContextRunners;
import dev.catzilla.autoconfigure.CatzillaNettyServerCustomizer;
import dev.catzilla.autoconfigure.CatzillaWiring;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code catzilla} actuator endpoint: defined only when exposed and accessible,
 * replaced by a user's bean, absent without the actuator.
 */
class CatzillaEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = CatzillaContextRunners.runner();

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

	@Test
	void theEndpointExistsOnlyWhenExposed() {
		ApplicationContextRunner actuator = this.runner.withConfiguration(
				AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class));
		actuator.run((context) -> assertThat(context).doesNotHaveBean(CatzillaEndpoint.class));
		actuator.withPropertyValues("management.endpoints.web.exposure.include=catzilla")
			.run((context) -> assertThat(context).hasSingleBean(CatzillaEndpoint.class));
		actuator
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla",
					"management.endpoint.catzilla.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaEndpoint.class));
	}

	@Test
	void withoutTheActuatorThereIsNoEndpointAndNothingFails() {
		this.webRunner
			.withClassLoader(
					new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
			.withPropertyValues("management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaNettyServerCustomizer.class)
				.doesNotHaveBean(CatzillaEndpoint.class));
	}

	@Test
	void aUserDefinedEndpointReplacesOurs() {
		this.runner.withUserConfiguration(UserEndpoint.class)
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla")
			.withConfiguration(
					AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
			.run((context) -> assertThat(context).getBean(CatzillaEndpoint.class).isSameAs(UserEndpoint.ENDPOINT));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpoint {

		static final CatzillaEndpoint ENDPOINT = new CatzillaEndpoint(new CatzillaAllocator(AllocatorMode.MALLOC,
				ActiveAllocator.NETTY, ByteBufAllocator.DEFAULT, "test", null), new CatzillaWiring());

		@Bean
		CatzillaEndpoint myEndpoint() {
			return ENDPOINT;
		}

	}

}
