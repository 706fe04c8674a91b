package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebClient over Reactor Netty: Catzilla's customizer of Boot's connector builder,
 * replaced by a user's bean, switched off by {@code catzilla.client.enabled} or
 * {@code catzilla.client.webclient.enabled}, absent without WebClient.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaWebClientAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

	@Test
	void webClientGetsTheAllocatorThroughBootsConnectorBuilder() {
		this.webRunner.run((context) -> {
			assertThat(context).hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
			assertThat(context.getBeansOfType(ClientHttpConnectorBuilderCustomizer.class))
				.containsValue(context.getBean(CatzillaClientHttpConnectorBuilderCustomizer.class));
			assertThat(context).hasSingleBean(WebClient.Builder.class);
		});
	}

	@Test
	void clientEnabledFalseLeavesTheWebClientAlone(CapturedOutput output) {
		this.webRunner.withUserConfiguration(BuildsAWebClient.class)
			.withPropertyValues("catzilla.client.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
				assertThat(context).hasSingleBean(CatzillaNettyServerCustomizer.class);
				assertThat(output).containsPattern("Catzilla: jemalloc \\S+ selected, nothing to serve");
			});
	}

	@Test
	void webclientEnabledFalseLeavesTheWebClientAloneAndTheServerServed() {
		this.webRunner.withPropertyValues("catzilla.client.webclient.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class)
				.hasSingleBean(CatzillaNettyServerCustomizer.class));
	}

	@Test
	void withoutWebClientOnlyTheServerIsServed() {
		this.webRunner.withClassLoader(new FilteredClassLoader(WebClient.class)).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(CatzillaNettyServerCustomizer.class);
			assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
		});
	}

	@Test
	void aUserDefinedConnectorCustomizerReplacesOurs() {
		this.webRunner.withUserConfiguration(UserClient.class)
			.run((context) -> assertThat(context).getBean(CatzillaClientHttpConnectorBuilderCustomizer.class)
				.isSameAs(UserClient.CLIENT));
	}

	@Configuration(proxyBeanMethods = false)
	static class BuildsAWebClient {

		@Bean
		WebClient webClient(WebClient.Builder builder) {
			return builder.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserClient {

		static final CatzillaAllocator OUTCOME = new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY,
				ByteBufAllocator.DEFAULT, "test", null);

		static final CatzillaWiring WIRING = new CatzillaWiring();

		static final CatzillaClientHttpConnectorBuilderCustomizer CLIENT = new CatzillaClientHttpConnectorBuilderCustomizer(
				OUTCOME, WIRING);

		@Bean
		CatzillaClientHttpConnectorBuilderCustomizer myClientCustomizer() {
			return CLIENT;
		}

	}

}
