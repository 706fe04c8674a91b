package dev.catzilla.benchmarks.http;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The RSS-over-time plot of one scenario: one line per set-up, written as a PNG with
 * XChart.
 */
final class RssChart {

	/**
	 * Six colours that stay apart on white and in print (XChart's default sixth is a pale
	 * yellow).
	 */
	private static final Color[] COLORS = { new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x9467BD),
			new Color(0x2CA02C), new Color(0xD62728), new Color(0x333333), new Color(0x8C564B), new Color(0x17BECF) };

	private RssChart() {
	}

	/** A vertical line at {@code x} seconds, labelled. */
	record Marker(double x, String label) {
	}

	/**
	 * @param png where to write (the {@code .png} suffix included)
	 * @param title the plot's title
	 * @param xLabel what the x axis counts
	 * @param rss each set-up's RSS samples
	 * @param zero for each set-up, the moment (epoch ms) that is 0 s on the x axis
	 * @param markers vertical lines to draw, each with its label at the top of the plot
	 */
	static void write(Path png, String title, String xLabel, Map<String, Series> rss, Map<String, Long> zero,
			List<Marker> markers) throws IOException {
		System.setProperty("java.awt.headless", "true");
		XYChart chart = new XYChartBuilder().width(1200)
			.height(650)
			.title(title)
			.xAxisTitle(xLabel)
			.yAxisTitle("RSS (MiB)")
			.build();
		chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
		chart.getStyler().setMarkerSize(0);
		chart.getStyler().setPlotGridLinesVisible(true);
		chart.getStyler().setSeriesColors(COLORS);
		for (Map.Entry<String, Series> entry : rss.entrySet()) {
			List<Double> x = new ArrayList<>();
			List<Double> y = new ArrayList<>();
			long origin = zero.getOrDefault(entry.getKey(), 0L);
			for (Series.Point p : entry.getValue().points()) {
				x.add((p.millis() - origin) / 1000.0);
				y.add(p.value() / Targets.MiB);
			}
			if (x.isEmpty()) {
				continue;
			}
			XYSeries series = chart.addSeries(entry.getKey(), x, y);
			series.setMarker(SeriesMarkers.NONE);
			series.setLineStyle(new BasicStroke(2f));
		}
		double top = rss.values()
			.stream()
			.flatMap((series) -> series.points().stream())
			.mapToDouble((p) -> p.value() / Targets.MiB)
			.max()
			.orElse(0);
		double right = rss.entrySet()
			.stream()
			.flatMap((e) -> e.getValue()
				.last()
				.stream()
				.map((p) -> (p.millis() - zero.getOrDefault(e.getKey(), 0L)) / 1000.0))
			.mapToDouble(Double::doubleValue)
			.max()
			.orElse(0);
		for (Marker marker : markers) {
			if (marker.x() > right) {
				// past the last sample (a short run): it would only be a clipped label at
				// the edge
				continue;
			}
			chart.addAnnotation(new AnnotationLine(marker.x(), true, false));
			chart.addAnnotation(new AnnotationText(marker.label(), marker.x(), top, false));
		}
		String name = png.toString();
		BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
				BitmapEncoder.BitmapFormat.PNG);
	}

}
