package dev.catzilla.autoconfigure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * A servlet (Tomcat) application written as a user would, with
 * {@code spring.http.clients.imperative.factory=reactor}: Boot's {@code RestClient} and
 * {@code RestTemplate} (built at startup) run over Reactor Netty; an echo endpoint to
 * talk to. A {@link ChannelProbe} watches the clients' channels.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ServletApplication.Echo.class)
public class ServletApplication {

	@Bean
	ChannelProbe restClientProbe() {
		return new ChannelProbe();
	}

	@Bean
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> probingRestClientCustomizer(
			ChannelProbe probe) {
		return (builder) -> builder.withHttpClientCustomizer(probe::instrument);
	}

	@Bean
	RestClient restClient(RestClient.Builder builder) {
		return builder.build();
	}

	@Bean
	RestTemplate restTemplate(RestTemplateBuilder builder) {
		return builder.build();
	}

	@RestController
	static class Echo {

		@PostMapping("/echo")
		byte[] echo(@RequestBody byte[] body) {
			return body;
		}

	}

}
