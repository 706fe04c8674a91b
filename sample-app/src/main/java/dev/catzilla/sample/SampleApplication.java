package dev.catzilla.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A small WebFlux service that uses {@code catzilla-spring-boot-starter} exactly as a
 * user would: the starter is a dependency, nothing here refers to Catzilla. The endpoints
 * move real bytes through the server's Netty buffers.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
