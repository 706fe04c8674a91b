package example;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** An application that took the starter from the staged repository starts, and jemalloc serves its server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StagedStarterTests {

	@LocalServerPort
	private int port;

	@Autowired
	private CatzillaAllocator catzilla;

	@Test
	void theStagedStarterServesTheServerFromJemalloc() throws Exception {
		assertThat(Jemalloc.isAvailable()).as("jemalloc loads from the staged allocator jar").isTrue();
		assertThat(this.catzilla.isJemalloc()).isTrue();
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/hello")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("hello from a staged Catzilla");
	}

	@SpringBootApplication
	static class App {

		@Bean
		RouterFunction<ServerResponse> hello() {
			return RouterFunctions.route()
				.GET("/hello", request -> ServerResponse.ok().bodyValue("hello from a staged Catzilla"))
				.build();
		}

	}

}
