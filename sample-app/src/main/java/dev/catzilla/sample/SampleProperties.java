package dev.catzilla.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the sample's endpoints.
 *
 * @param echo limits of {@code POST /echo}
 * @param bytes limits of {@code GET /bytes/{n}}
 */
@ConfigurationProperties("sample")
public record SampleProperties(Echo echo, Bytes bytes) {

	public SampleProperties {
		echo = (echo != null) ? echo : new Echo(null);
		bytes = (bytes != null) ? bytes : new Bytes(null);
	}

	/**
	 * @param maxSize largest request body {@code POST /echo} accepts; larger bodies get a
	 * 413
	 */
	public record Echo(DataSize maxSize) {

		public Echo {
			maxSize = checked("sample.echo.max-size", (maxSize != null) ? maxSize : DataSize.ofMegabytes(16));
		}

	}

	/**
	 * @param maxSize largest {@code n} that {@code GET /bytes/{n}} serves; larger values
	 * get a 400
	 */
	public record Bytes(DataSize maxSize) {

		public Bytes {
			maxSize = checked("sample.bytes.max-size", (maxSize != null) ? maxSize : DataSize.ofMegabytes(64));
		}

	}

	private static DataSize checked(String name, DataSize size) {
		if (size.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative, was " + size);
		}
		return size;
	}

}
