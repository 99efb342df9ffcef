//! The bursts of a folder as one SVG: for each (Node, SQLite, PostgreSQL
//! with one or more instances), p99 create → receive and the server
//! process's CPU per notification (PostgreSQL's own is not in it) against
//! the rate asked, step by step. `make bench` leaves
//! it beside the JSON; docs/performance.md shows a copy.

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::report::Report;

/// Reads every `burst-*.json` in `folder` and draws `burst.svg` there.
pub fn draw_bursts(folder: &Path) -> Result<PathBuf, Box<dyn Error>> {
    let mut runs: Vec<Report> = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("burst-") && name.ends_with(".json") {
            runs.push(serde_json::from_str(&std::fs::read_to_string(&path)?)?);
        }
    }
    runs.sort_by_key(label);
    let svg = folder.join("burst.svg");
    draw(&runs, &svg)?;
    Ok(svg)
}

/// What served a run, as its line is labelled.
fn label(run: &Report) -> String {
    match run.instances {
        n if n > 1 => format!("{} ×{n}", run.engine),
        _ => run.engine.clone(),
    }
}

fn draw(runs: &[Report], svg: &Path) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(svg, (960, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let steps = || runs.iter().flat_map(|r| &r.steps);
    let top_rate = steps().map(|s| s.rate).max().unwrap_or(1_000).max(1_000) as f64 * 1.05;
    let top_cpu = steps()
        .map(|s| s.server_cpu_us_per_notification)
        .fold(100.0, f64::max)
        * 1.1;
    // Latency on a log scale (it spans 1 to 1,000 ms), CPU on a linear one.
    let mut chart = ChartBuilder::on(&left)
        .caption("p99 create → receive, ms", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..top_rate, (0.1..2_000.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("notifications/s asked (burst steps)")
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y}"))
        .draw()?;
    for (i, run) in runs.iter().enumerate() {
        let points = run
            .steps
            .iter()
            .map(|s| (s.rate as f64, s.latency_ms.p99.clamp(0.1, 2_000.0)));
        line(&mut chart, i, run, points)?;
    }
    // The default `--clean-p99-ms`: a step above it is not clean.
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 100.0), (top_rate, 100.0)],
        BLACK.mix(0.4).stroke_width(1),
    )))?;
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;

    let mut chart = ChartBuilder::on(&right)
        .caption(
            "server process CPU per notification, µs",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..top_rate, 0.0..top_cpu)?;
    chart
        .configure_mesh()
        .x_desc("notifications/s asked (burst steps)")
        .x_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;
    for (i, run) in runs.iter().enumerate() {
        let points = run
            .steps
            .iter()
            .map(|s| (s.rate as f64, s.server_cpu_us_per_notification));
        line(&mut chart, i, run, points)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

type Chart<'a, Y> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

/// One run's line, in its colour, labelled for the legend.
fn line<Y>(
    chart: &mut Chart<'_, Y>,
    i: usize,
    run: &Report,
    points: impl Iterator<Item = (f64, f64)>,
) -> Result<(), Box<dyn Error>>
where
    Y: Ranged<ValueType = f64>,
{
    let color = Palette99::pick(i).to_rgba();
    chart
        .draw_series(LineSeries::new(points, color.stroke_width(2)))?
        .label(label(run))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    Ok(())
}

fn legend<Y>(chart: &mut Chart<'_, Y>, at: SeriesLabelPosition) -> Result<(), Box<dyn Error>>
where
    Y: Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(at)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Percentiles, Step};

    fn run(engine: &str, instances: usize, p99: f64) -> Report {
        let step = |rate, cpu| Step {
            rate,
            notifications: rate,
            send_errors: 0,
            latency_ms: Percentiles {
                p99,
                ..Percentiles::default()
            },
            api_ms: Percentiles::default(),
            server_cpu_us_per_notification: cpu,
            achieved_per_second: rate as f64,
            clean: true,
        };
        Report {
            engine: engine.to_owned(),
            instances,
            steps: vec![step(1_000, 400.0), step(1_500, 300.0)],
            ..Report::default()
        }
    }

    #[test]
    fn every_burst_in_the_folder_is_a_labelled_line_on_both_panels() {
        let dir = tempfile::tempdir().unwrap();
        for (name, report) in [
            ("burst-sqlite.json", run("SQLite", 1, 5.0)),
            ("burst-postgres-2.json", run("PostgreSQL", 2, 40.0)),
            ("steady-sqlite.json", run("not a burst", 1, 1.0)),
        ] {
            let json = serde_json::to_string(&report).unwrap();
            std::fs::write(dir.path().join(name), json).unwrap();
        }
        let svg = std::fs::read_to_string(draw_bursts(dir.path()).unwrap()).unwrap();
        // Each label in both panels' legends (plotters writes text on a line of its own).
        let lines = |text: &str| svg.lines().filter(|l| l.trim() == text).count();
        assert_eq!(lines("PostgreSQL ×2"), 2);
        assert_eq!(lines("SQLite"), 2);
        assert!(!svg.contains("not a burst"));
        // Both runs' lines on both panels, as thick strokes.
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 4);
    }
}
