package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HttpClient beans an application declares get Catzilla's allocator, unless they have
 * their own or the switch is off.
 */
class CatzillaHttpClientBeanPostProcessorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaClientBeansAutoConfiguration.class));

	@Test
	void anHttpClientBeanGetsOurAllocatorAndIsRecorded() {
		this.runner.withUserConfiguration(PlainHttpClient.class).run((context) -> {
			assertThat(allocatorOf(context.getBean(HttpClient.class)))
				.isSameAs(context.getBean(CatzillaAllocator.class).allocator());
			assertThat(context.getBean(CatzillaWiring.class).served()).containsExactly("httpclient-bean");
		});
	}

	@Test
	void anHttpClientBeanWithItsOwnAllocatorKeepsIt() {
		this.runner.withUserConfiguration(OwnAllocatorHttpClient.class).run((context) -> {
			assertThat(allocatorOf(context.getBean(HttpClient.class))).isSameAs(ByteBufAllocator.DEFAULT);
			assertThat(context.getBean(CatzillaWiring.class).keptOwnAllocator()).containsExactly("httpclient-bean");
		});
	}

	@Test
	void httpClientBeansEnabledFalseLeavesThemAlone() {
		this.runner.withUserConfiguration(PlainHttpClient.class)
			.withPropertyValues("catzilla.client.http-client-beans.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CatzillaHttpClientBeanPostProcessor.class);
				assertThat(allocatorOf(context.getBean(HttpClient.class))).isNull();
			});
	}

	@Test
	void clientEnabledFalseLeavesThemAlone() {
		this.runner.withUserConfiguration(PlainHttpClient.class)
			.withPropertyValues("catzilla.client.enabled=false")
			.run((context) -> assertThat(allocatorOf(context.getBean(HttpClient.class))).isNull());
	}

	static Object allocatorOf(HttpClient client) {
		return client.configuration().options().get(ChannelOption.ALLOCATOR);
	}

	@Configuration(proxyBeanMethods = false)
	static class PlainHttpClient {

		@Bean
		HttpClient httpClient() {
			return HttpClient.create();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnAllocatorHttpClient {

		@Bean
		HttpClient httpClient() {
			return HttpClient.create().option(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
		}

	}

}
