package dev.catzilla.autoconfigure;

import java.util.List;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientsProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.task.VirtualThreadTaskExecutor;

/**
 * Hands the active allocator to the Reactor Netty {@code HttpClient} behind Boot's
 * {@code RestClient} and {@code RestTemplate} (when their request factory is Reactor
 * Netty's), unless {@code catzilla.client.enabled=false} or
 * {@code catzilla.client.restclient.enabled=false}.
 * <p>
 * Boot applies {@link ClientHttpRequestFactoryBuilderCustomizer} beans only outside
 * reactive applications; in a reactive one it defines no
 * {@link ClientHttpRequestFactoryBuilder} and {@code RestClient.Builder} detects one.
 * There Catzilla defines the builder Boot's {@code ImperativeHttpClientAutoConfiguration}
 * defines elsewhere, step by step as Boot does:
 * {@code spring.http.clients.imperative.factory} or detection, a virtual-thread executor
 * for the JDK client when {@code spring.threads.virtual.enabled}, then the customizer
 * beans. Boot offers no public way to reuse its own (the configuration is final and
 * skipped in reactive applications, {@code Factory.builder()} is not public), so
 * {@code CatzillaRestClientAutoConfigurationTests} compares the two for every value of
 * every {@code spring.http.clients.imperative.*} property and fails when Boot adds one.
 * Boot's {@code ClientHttpRequestFactory} bean is not repeated:
 * {@code RestClient.Builder} builds its factory from the builder.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class,
		afterName = "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
		beforeName = { "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
				"org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration" })
@ConditionalOnClass({ HttpClient.class, ClientHttpRequestFactoryBuilder.class,
		ClientHttpRequestFactoryBuilderCustomizer.class })
@ConditionalOnBean(CatzillaAllocator.class)
@ConditionalOnBooleanProperty(name = "catzilla.client.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "catzilla.client.restclient.enabled", matchIfMissing = true)
public final class CatzillaRestClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CatzillaClientHttpRequestFactoryBuilderCustomizer catzillaClientHttpRequestFactoryBuilderCustomizer(
			CatzillaAllocator outcome, CatzillaWiring wiring) {
		return new CatzillaClientHttpRequestFactoryBuilderCustomizer(outcome, wiring);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = "org.springframework.boot.restclient.RestClientCustomizer")
	@EnableConfigurationProperties(ImperativeHttpClientsProperties.class)
	static final class ReactiveApplicationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientHttpRequestFactoryBuilder<?> clientHttpRequestFactoryBuilder(ResourceLoader resourceLoader,
				Environment environment, ImperativeHttpClientsProperties properties,
				ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
			ClientHttpRequestFactoryBuilder<?> builder = (properties.getFactory() != null)
					? builder(properties.getFactory())
					: ClientHttpRequestFactoryBuilder.detect(resourceLoader.getClassLoader());
			if (builder instanceof JdkClientHttpRequestFactoryBuilder jdk && Threading.VIRTUAL.isActive(environment)) {
				builder = jdk.withExecutor(new VirtualThreadTaskExecutor("httpclient-"));
			}
			return customize(builder, customizers.orderedStream().toList());
		}

		private static ClientHttpRequestFactoryBuilder<?> builder(ImperativeHttpClientsProperties.Factory factory) {
			return switch (factory) {
				case HTTP_COMPONENTS -> ClientHttpRequestFactoryBuilder.httpComponents();
				case JETTY -> ClientHttpRequestFactoryBuilder.jetty();
				case REACTOR -> ClientHttpRequestFactoryBuilder.reactor();
				case JDK -> ClientHttpRequestFactoryBuilder.jdk();
				case SIMPLE -> ClientHttpRequestFactoryBuilder.simple();
			};
		}

		@SuppressWarnings("unchecked")
		private static ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder,
				List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
			ClientHttpRequestFactoryBuilder<?>[] result = { builder };
			LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, customizers, result[0])
				.invoke((customizer) -> result[0] = customizer.customize(result[0]));
			return result[0];
		}

	}

}
