package dev.catzilla.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Cloud Gateway's proxy client gets Catzilla's customizer when the gateway is
 * present, and nothing changes without it.
 */
class CatzillaGatewayAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaGatewayAutoConfiguration.class));

	@Test
	void withTheGatewayItsProxyClientGetsOurCustomizer() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(CatzillaGatewayHttpClientCustomizer.class)
			.getBeans(HttpClientCustomizer.class)
			.hasSize(1));
	}

	@Test
	void withoutTheGatewayNothingIsDefinedAndNothingFails() {
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.cloud.gateway"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CatzillaGatewayHttpClientCustomizer.class));
	}

	@Test
	void gatewayEnabledFalseOrClientEnabledFalseLeavesTheProxyClientAlone() {
		this.runner.withPropertyValues("catzilla.client.gateway.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaGatewayHttpClientCustomizer.class));
		this.runner.withPropertyValues("catzilla.client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaGatewayHttpClientCustomizer.class));
	}

}
