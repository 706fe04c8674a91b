package dev.catzilla.benchmarks.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ArgumentsTests {

	@Test
	void optionsMayRepeatAndTheLastOneWins() {
		Arguments arguments = Arguments.parse("--setup", "a=1:2", "--setup", "b=3:4", "--port", "9", "--port", "10");
		assertThat(arguments.all("setup")).containsExactly("a=1:2", "b=3:4");
		assertThat(arguments.integer("port", 0)).isEqualTo(10);
		assertThat(arguments.string("mode", "default")).isEqualTo("default");
	}

	@Test
	void aMissingRequiredOptionOrValueIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> Arguments.parse("--scenario"));
		assertThatIllegalArgumentException().isThrownBy(() -> Arguments.parse().required("scenario"))
			.withMessage("--scenario is required");
	}

}
