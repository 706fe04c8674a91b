package dev.catzilla.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientsProperties;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RestClient and RestTemplate over Reactor Netty: Boot's request factory builder gets
 * Catzilla's customizer; in a reactive application, where Boot defines no builder,
 * Catzilla defines the one Boot defines elsewhere, compared with Boot's own for every
 * {@code spring.http.clients.imperative.*} setting.
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

	@ParameterizedTest(name = "{0}")
	@MethodSource("imperativeClientSettings")
	void inAReactiveApplicationOurBuilderBehavesAsTheOneBootDefinesElsewhere(List<String> properties) {
		String[] values = properties.toArray(String[]::new);
		Outcome[] boot = new Outcome[1];
		this.runner.withPropertyValues(values).run((context) -> {
			if (context.getStartupFailure() == null) {
				assertThat(context.getBeanFactory()
					.getBeanDefinition("clientHttpRequestFactoryBuilder")
					.getFactoryBeanName()).as("Boot's own builder outside reactive applications")
					.contains(ImperativeHttpClientAutoConfiguration.class.getName());
			}
			boot[0] = Outcome.of(context);
		});
		this.reactiveRunner.withPropertyValues(values)
			.run((context) -> assertThat(Outcome.of(context)).isEqualTo(boot[0]));
	}

	@Test
	void theComparisonCoversEveryImperativeClientPropertyBootHas() {
		// A property Boot adds to spring.http.clients.imperative.* fails here: the copy
		// must follow, and so must
		// imperativeClientSettings().
		assertThat(BeanUtils.getPropertyDescriptors(ImperativeHttpClientsProperties.class))
			.extracting(PropertyDescriptor::getName)
			.containsExactlyInAnyOrder("class", "factory");
	}

	/**
	 * Every value of spring.http.clients.imperative.factory (and none), with and without
	 * virtual threads.
	 */
	static Stream<List<String>> imperativeClientSettings() {
		List<String> factories = new ArrayList<>();
		factories.add(null);
		for (ImperativeHttpClientsProperties.Factory factory : ImperativeHttpClientsProperties.Factory.values()) {
			factories.add(factory.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		}
		List<List<String>> settings = new ArrayList<>();
		for (String factory : factories) {
			for (boolean virtual : new boolean[] { false, true }) {
				List<String> properties = new ArrayList<>();
				if (factory != null) {
					properties.add("spring.http.clients.imperative.factory=" + factory);
				}
				properties.add("spring.threads.virtual.enabled=" + virtual);
				settings.add(properties);
			}
		}
		return settings.stream();
	}

	/**
	 * What an application gets from the context's builder: its type, the request factory
	 * it builds (or why it cannot), the JDK client's executor, and what Catzilla served;
	 * or why the context failed to start (a factory whose library is missing, here
	 * HttpComponents' and Jetty's).
	 */
	record Outcome(String builder, String requestFactory, String executor, List<String> served) {

		static Outcome of(ApplicationContextAssertProvider<?> context) {
			if (context.getStartupFailure() != null) {
				Throwable cause = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
				return new Outcome("startup failed: " + cause, "-", "-", List.of());
			}
			ClientHttpRequestFactoryBuilder<?> builder = context.getBean(ClientHttpRequestFactoryBuilder.class);
			String requestFactory;
			String executor = "none";
			try {
				ClientHttpRequestFactory factory = builder.build(HttpClientSettings.defaults());
				requestFactory = factory.getClass().getName();
				if (factory instanceof JdkClientHttpRequestFactory) {
					java.net.http.HttpClient client = (java.net.http.HttpClient) ReflectionTestUtils.getField(factory,
							"httpClient");
					executor = client.executor().map((e) -> e.getClass().getName()).orElse("none");
				}
			}
			catch (Throwable ex) {
				requestFactory = "cannot build: " + ex;
			}
			return new Outcome(builder.getClass().getName(), requestFactory, executor,
					context.getBean(CatzillaWiring.class).served());
		}

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
