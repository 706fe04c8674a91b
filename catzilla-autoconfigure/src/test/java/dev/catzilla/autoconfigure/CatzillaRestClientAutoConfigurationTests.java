package dev.catzilla.autoconfigure;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RestClient and RestTemplate over Reactor Netty: Boot's request factory builder gets Catzilla's customizer; in a
 * reactive application, where Boot defines no builder, Catzilla defines the one Boot defines elsewhere.
 */
class CatzillaRestClientAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(CatzillaAutoConfiguration.class,
			CatzillaRestClientAutoConfiguration.class, HttpClientAutoConfiguration.class,
			ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS);

	private final ReactiveWebApplicationContextRunner reactiveRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS);

	@Test
	void outsideReactiveApplicationsBootsBuilderGetsOurCustomizerAndTheBuiltClientIsRecorded() {
		this.runner.withPropertyValues("spring.http.clients.imperative.factory=reactor").run((context) -> {
			assertThat(context).hasSingleBean(CatzillaClientHttpRequestFactoryBuilderCustomizer.class);
			assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
				.isInstanceOf(ReactorClientHttpRequestFactoryBuilder.class);
			assertThat(context.getBean(CatzillaWiring.class).served()).isEmpty();
			HttpClient client = httpClientOf(context.getBean(ClientHttpRequestFactoryBuilder.class));
			assertThat((Object) client.configuration().options().get(ChannelOption.ALLOCATOR))
				.isSameAs(context.getBean(CatzillaAllocator.class).allocator());
			assertThat(context.getBean(CatzillaWiring.class).served()).containsExactly("restclient");
		});
	}

	@Test
	void inAReactiveApplicationWeDefineTheBuilderBootDefinesElsewhereWithTheCustomizersApplied() {
		this.reactiveRunner.run((context) -> {
			assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
			assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
				.isInstanceOf(ReactorClientHttpRequestFactoryBuilder.class);
			context.getBean(RestClient.Builder.class).build();
			assertThat(context.getBean(CatzillaWiring.class).served()).containsExactly("restclient");
		});
	}

	@Test
	void inAReactiveApplicationTheFactoryPropertyIsHonouredAsBootHonoursItElsewhere() {
		this.reactiveRunner.withPropertyValues("spring.http.clients.imperative.factory=jdk")
			.run((context) -> assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
				.isInstanceOf(JdkClientHttpRequestFactoryBuilder.class));
	}

	@Test
	void restclientEnabledFalseLeavesBootAlone() {
		this.reactiveRunner.withPropertyValues("catzilla.client.restclient.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(CatzillaClientHttpRequestFactoryBuilderCustomizer.class)
				.doesNotHaveBean(ClientHttpRequestFactoryBuilder.class);
			context.getBean(RestClient.Builder.class).build();
			assertThat(context.getBean(CatzillaWiring.class).served()).isEmpty();
		});
	}

	@Test
	void clientEnabledFalseLeavesBootAlone() {
		this.runner.withPropertyValues("catzilla.client.enabled=false")
			.run((context) -> assertThat(context)
				.doesNotHaveBean(CatzillaClientHttpRequestFactoryBuilderCustomizer.class));
	}

	@Test
	void withoutBootsRestClientModuleAReactiveApplicationGetsNoBuilderFromUs() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CatzillaAutoConfiguration.class,
					CatzillaRestClientAutoConfiguration.class, HttpClientAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.restclient"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaClientHttpRequestFactoryBuilderCustomizer.class)
				.doesNotHaveBean(ClientHttpRequestFactoryBuilder.class));
	}

	@Test
	void withoutReactorNettyNothingIsDefined() {
		this.reactiveRunner.withClassLoader(new FilteredClassLoader("reactor.netty"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CatzillaClientHttpRequestFactoryBuilderCustomizer.class)
				.doesNotHaveBean(ClientHttpRequestFactoryBuilder.class));
	}

	private static HttpClient httpClientOf(ClientHttpRequestFactoryBuilder<?> builder) {
		ReactorClientHttpRequestFactory factory = (ReactorClientHttpRequestFactory) builder
			.build(HttpClientSettings.defaults());
		HttpClient[] client = new HttpClient[1];
		((ReactorClientHttpRequestFactoryBuilder) builder).withHttpClientCustomizer((c) -> client[0] = c)
			.build(HttpClientSettings.defaults());
		assertThat(factory).isNotNull();
		return client[0];
	}

}
