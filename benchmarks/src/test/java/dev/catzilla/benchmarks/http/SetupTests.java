package dev.catzilla.benchmarks.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SetupTests {

	@Test
	void aSetupIsGivenAsNamePortAndPid() {
		assertThat(Setup.parse("malloc-arena-2=18084:4321")).isEqualTo(new Setup("malloc-arena-2", 18084, 4321));
	}

	@Test
	void aSpecWithoutPortOrPidIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> Setup.parse("ours=18080"))
			.withMessageContaining("name=port:pid");
	}

}
