package dev.catzilla.benchmarks.http;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class RssChartTests {

	@Test
	void thePlotIsAPngWithOneLinePerSetup(@TempDir Path dir) throws Exception {
		Series ours = new Series(
				List.of(new Series.Point(1000, 100 * 1024 * 1024), new Series.Point(2000, 300 * 1024 * 1024)));
		Series adaptive = new Series(
				List.of(new Series.Point(1000, 120 * 1024 * 1024), new Series.Point(2000, 500 * 1024 * 1024)));
		Path png = dir.resolve("burst-rss.png");
		RssChart.write(png, "Burst", "seconds", Map.of("ours", ours, "adaptive", adaptive), Map.of("ours", 1000L),
				List.of(new RssChart.Marker(0, "burst end"), new RssChart.Marker(0.5, "+0.5 s")));
		BufferedImage image = ImageIO.read(png.toFile());
		assertThat(image.getWidth()).isEqualTo(1200);
		assertThat(image.getHeight()).isEqualTo(650);
	}

}
