//! SVG charts drawn with plotters. Text is laid out by plotters' built-in size estimate
//! and emitted as SVG `<text>`, so no font files are needed at build or run time.

use std::path::Path;

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::effects::Group;
use super::error::AnalyzeError;
use super::fan::Fan;
use super::numbers::{pct, prob};
use super::sensitivity::{Method, Sensitivity};
use crate::outcome::Outcome;

type Result<T> = std::result::Result<T, AnalyzeError>;
type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

const FONT: &str = "sans-serif";
const SIZE: (u32, u32) = (960, 560);
/// Colours of series (sweep points, fan bands).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const REFERENCE: RGBColor = RGBColor(150, 150, 150);

/// A fixed colour per outcome, the same in every chart.
fn outcome_color(o: Outcome) -> RGBColor {
    match o {
        Outcome::Symbiosis => RGBColor(46, 139, 87),
        Outcome::Decoupling => RGBColor(230, 140, 20),
        Outcome::Acquisition => RGBColor(52, 101, 164),
        Outcome::Divestiture => RGBColor(200, 40, 40),
    }
}

/// Axis label for a sweep parameter, with its unit where SPEC §3 gives one.
pub(crate) fn param_axis_label(name: &str) -> String {
    let unit = match name {
        "partnership.investor_stake" => "share of the lab, 0-1",
        "cloud.migration_cost" | "regulation.stringency" => "x baseline",
        "products.overlap" | "open_source.strength" => "0-1",
        "talent.researchers" => "researcher agents",
        "startups.initial" => "startups",
        "governance.crisis_rate" => "expected crises per month",
        "horizon_months" => "months",
        _ => return name.to_string(),
    };
    format!("{name} ({unit})")
}

/// Axis label for a time-series metric, with its unit where known.
pub(crate) fn metric_axis_label(name: &str) -> String {
    let unit = match name {
        "tension" => "index",
        "lab_cloud_share_investor" => "share of lab compute, 0-1",
        "investor_inhouse_ratio" => "investor in-house / lab capability",
        "talent_share_top2" => "share of researchers, 0-1",
        "startups_alive" => "startups",
        "hhi_max" => "HHI",
        n if n.starts_with("hhi_") => "HHI",
        n if n.starts_with("share_") => "market share, 0-1",
        _ => return name.to_string(),
    };
    format!("{name} ({unit})")
}

/// A linear f64 axis with ticks exactly at given positions: categories sit at 0, 1, 2,
/// ... and levels at their values, where plotters would pick "nice" round ticks.
struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        TickAxis { lo, hi, ticks }
    }
}

impl Ranged for TickAxis {
    // Labels always come from an explicit formatter; the default one is never used.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let frac = if span > 0.0 { (v - self.lo) / span } else { 0.5 };
        limit.0 + ((limit.1 - limit.0) as f64 * frac).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Draws into an in-memory SVG document.
fn render(path: &Path, size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> DrawResult) -> Result<String> {
    let mut svg = String::new();
    let result = (|| -> DrawResult {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok(())
    })();
    result.map_err(|e| AnalyzeError::Plot {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(svg)
}

fn percent_label(v: &f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// Upper end of a probability axis: a bit above the largest value, within (0, 1].
fn prob_axis_top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    (max * 1.12).clamp(0.1, 1.0)
}

/// One set of bars in the outcome chart: label and (count, runs) per outcome.
pub(crate) struct BarSeries {
    pub label: String,
    pub counts: [u64; 4],
    pub runs: u64,
}

/// Bars of outcome probabilities with 95% Wilson whiskers beside the article's view.
pub(crate) fn outcomes(path: &Path, title: &str, series: &[BarSeries]) -> Result<String> {
    render(path, SIZE, |root| {
        let est: Vec<Vec<(f64, f64, f64)>> = series
            .iter()
            .map(|s| Outcome::ALL.map(|o| prob(s.counts[o.index()], s.runs)).to_vec())
            .collect();
        let top = prob_axis_top(
            est.iter()
                .flatten()
                .map(|e| e.2)
                .chain(Outcome::ALL.map(Outcome::article_reference)),
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(TickAxis::new(-0.5, 3.5, vec![0.0, 1.0, 2.0, 3.0]), 0.0..top)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .disable_x_mesh()
            .x_label_formatter(&|x| category(*x, &Outcome::ALL.map(Outcome::as_str)))
            .y_label_formatter(&percent_label)
            .x_desc("outcome at the horizon")
            .y_desc("probability (95% Wilson interval)")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .draw()?;
        let nbars = series.len() + 1;
        let width = 0.8 / nbars as f64;
        let left = |i: usize, j: usize| i as f64 - 0.4 + j as f64 * width;
        let value_labels = nbars <= 3;
        for (j, (s, e)) in series.iter().zip(&est).enumerate() {
            let color = PALETTE[j % PALETTE.len()];
            chart
                .draw_series(e.iter().enumerate().map(|(i, &(p, _, _))| {
                    let x0 = left(i, j);
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.92, finite(p))], color.filled())
                }))?
                .label(s.label.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
            chart.draw_series(e.iter().enumerate().map(|(i, &(p, lo, hi))| {
                let xc = left(i, j) + width * 0.46;
                ErrorBar::new_vertical(xc, lo, finite(p), hi, BLACK.stroke_width(1), 8)
            }))?;
            if value_labels {
                chart.draw_series(e.iter().enumerate().map(|(i, &(p, _, hi))| {
                    let xc = left(i, j) + width * 0.46;
                    Text::new(pct(p), (xc, hi.min(top)), bar_label_style())
                }))?;
            }
        }
        let refs = Outcome::ALL.map(Outcome::article_reference);
        chart
            .draw_series(refs.iter().enumerate().map(|(i, &r)| {
                let x0 = left(i, series.len());
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, r)], REFERENCE.filled())
            }))?
            .label("article's expert view")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], REFERENCE.filled()));
        if value_labels {
            chart.draw_series(refs.iter().enumerate().map(|(i, &r)| {
                let xc = left(i, series.len()) + width * 0.46;
                Text::new(pct(r), (xc, r), bar_label_style())
            }))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

fn bar_label_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom))
}

fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// Tick label of a categorical axis: the name at an integer position.
fn category<S: AsRef<str>>(x: f64, names: &[S]) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        names
            .get(i as usize)
            .map(|s| s.as_ref().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    }
}

fn legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// The legend corner covering the fewest data points (ties: upper right first), with
/// the legend taken to fill about 45% of the width and 30% of the height.
fn free_corner(points: &[(f64, f64)], (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> SeriesLabelPosition {
    let (xl, xr) = (x0 + 0.45 * (x1 - x0), x1 - 0.45 * (x1 - x0));
    let (yb, yt) = (y0 + 0.3 * (y1 - y0), y1 - 0.3 * (y1 - y0));
    let corners = [
        (SeriesLabelPosition::UpperRight, xr, x1, yt, y1),
        (SeriesLabelPosition::UpperLeft, x0, xl, yt, y1),
        (SeriesLabelPosition::LowerRight, xr, x1, y0, yb),
        (SeriesLabelPosition::LowerLeft, x0, xl, y0, yb),
    ];
    let inside = |(ax, bx, ay, by): (f64, f64, f64, f64)| {
        points
            .iter()
            .filter(|(x, y)| (ax..=bx).contains(x) && (ay..=by).contains(y))
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|c| inside((c.1, c.2, c.3, c.4)))
        .map_or(SeriesLabelPosition::UpperRight, |c| c.0)
}

/// Ticks at whole months, at most about a dozen.
fn month_ticks(x0: f64, x1: f64) -> Vec<f64> {
    let span = (x1 - x0).max(1.0);
    let step = [1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 60.0, 120.0]
        .into_iter()
        .find(|s| span / s <= 12.0)
        .unwrap_or((span / 12.0).ceil());
    let first = (x0 / step).ceil() as i64;
    let last = (x1 / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Each outcome's probability against a parameter: lines with 95% bands for a numeric
/// parameter, points with error bars per level for a categorical one.
pub(crate) fn effect(path: &Path, param: &str, categorical: bool, binned: bool, groups: &[Group]) -> Result<String> {
    render(path, SIZE, |root| {
        let est: Vec<[(f64, f64, f64); 4]> = groups
            .iter()
            .map(|g| Outcome::ALL.map(|o| prob(g.counts[o.index()], g.runs)))
            .collect();
        let top = prob_axis_top(est.iter().flatten().map(|e| e.2));
        let title = format!("Outcome probability vs {param}");
        let mut x_desc = param_axis_label(param);
        if binned {
            x_desc += "; points binned by value, equal counts";
        }
        let (x0, x1) = if categorical {
            (-0.5, groups.len() as f64 - 0.5)
        } else {
            padded(groups.iter().map(|g| g.x))
        };
        let keys: Vec<f64> = if categorical {
            (0..groups.len()).map(|i| i as f64).collect()
        } else {
            groups.iter().map(|g| g.x).collect()
        };
        let names: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(TickAxis::new(x0, x1, keys.clone()), 0.0..top)?;
        let label_at = |x: &f64| {
            keys.iter()
                .position(|k| (k - x).abs() <= 1e-9 * (1.0 + k.abs()))
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_label_formatter(&label_at)
            .y_label_formatter(&percent_label)
            .x_desc(x_desc)
            .y_desc("probability (95% Wilson interval)")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .draw()?;
        for o in Outcome::ALL {
            let color = outcome_color(o);
            let k = o.index();
            if categorical {
                let dx = (k as f64 - 1.5) * 0.1;
                chart
                    .draw_series(est.iter().enumerate().map(|(i, e)| {
                        let (p, lo, hi) = e[k];
                        ErrorBar::new_vertical(i as f64 + dx, lo, finite(p), hi, color.filled().stroke_width(2), 10)
                    }))?
                    .label(o.as_str())
                    .legend(move |(x, y)| Circle::new((x + 7, y), 5, color.filled()));
            } else {
                let pts: Vec<(f64, (f64, f64, f64))> = groups.iter().zip(&est).map(|(g, e)| (g.x, e[k])).collect();
                let mut band: Vec<(f64, f64)> = pts.iter().map(|(x, e)| (*x, e.1)).collect();
                band.extend(pts.iter().rev().map(|(x, e)| (*x, e.2)));
                chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18).filled())))?;
                chart
                    .draw_series(LineSeries::new(
                        pts.iter().map(|(x, e)| (*x, finite(e.0))),
                        color.stroke_width(2),
                    ))?
                    .label(o.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3)));
                chart.draw_series(
                    pts.iter()
                        .map(|(x, e)| Circle::new((*x, finite(e.0)), 4, color.filled())),
                )?;
            }
        }
        let pts: Vec<(f64, f64)> = groups
            .iter()
            .zip(&est)
            .enumerate()
            .flat_map(|(i, (g, e))| {
                let x = if categorical { i as f64 } else { g.x };
                e.iter().flat_map(move |v| [(x, v.0), (x, v.1), (x, v.2)])
            })
            .collect();
        legend(&mut chart, free_corner(&pts, (x0, x1), (0.0, top)))
    })
}

/// Axis range covering `values` with 5% padding (±0.5 around a single value).
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
        let d = (lo.abs() * 0.1).max(0.5);
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Fan chart: median line and 5–95% band over months, one band per point.
pub(crate) fn fan(path: &Path, fan: &Fan) -> Result<String> {
    render(path, SIZE, |root| {
        let all = fan
            .bands
            .iter()
            .flat_map(|b| b.rows.iter().flat_map(|r| [r.1, r.2, r.3]));
        let (y0, y1) = padded(all);
        let (x0, x1) = padded(fan.bands.iter().flat_map(|b| b.rows.iter().map(|r| r.0)));
        let x0 = x0.max(0.0);
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{}: median and 5-95% band", fan.metric), (FONT, 22))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(TickAxis::new(x0, x1, month_ticks(x0, x1)), y0..y1)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("month (tick)")
            .y_desc(metric_axis_label(&fan.metric))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .draw()?;
        for (j, b) in fan.bands.iter().enumerate() {
            let color = PALETTE[j % PALETTE.len()];
            let ok: Vec<&(f64, f64, f64, f64)> = b
                .rows
                .iter()
                .filter(|r| r.1.is_finite() && r.2.is_finite() && r.3.is_finite())
                .collect();
            if ok.is_empty() {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = ok.iter().map(|r| (r.0, r.1)).collect();
            poly.extend(ok.iter().rev().map(|r| (r.0, r.3)));
            chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))?;
            chart
                .draw_series(LineSeries::new(ok.iter().map(|r| (r.0, r.2)), color.stroke_width(2)))?
                .label(format!("{} (median)", b.label))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3)));
        }
        let pts: Vec<(f64, f64)> = fan
            .bands
            .iter()
            .flat_map(|b| b.rows.iter().flat_map(|r| [(r.0, r.1), (r.0, r.2), (r.0, r.3)]))
            .collect();
        legend(&mut chart, free_corner(&pts, (x0, x1), (y0, y1)))
    })
}

/// Bar chart of sensitivity indices, one panel per output: Sobol S1 and ST with
/// bootstrap intervals, or Morris μ* and σ.
pub(crate) fn sensitivity(path: &Path, sens: &Sensitivity) -> Result<String> {
    let n = sens.params.len();
    let panel_h = (90 + 34 * n as u32).max(200);
    let rows = sens.outputs.len().div_ceil(2).max(1);
    let size = (1100, 90 + panel_h * rows as u32);
    let longest = sens.params.iter().map(|p| p.len()).max().unwrap_or(4) as u32;
    let y_area = (longest * 8 + 16).clamp(60, 280);
    let (title, names) = match sens.method {
        Method::Sobol => (
            "Sobol indices with 95% bootstrap intervals",
            ["S1: first order (parameter alone)", "ST: total (with interactions)"],
        ),
        Method::Morris => (
            "Morris screening of elementary effects (per unit of normalised range)",
            [
                "mu*: mean |effect| (importance)",
                "sigma: spread (non-linearity, interactions)",
            ],
        ),
    };
    // Names listed top-down in the panels, so the first parameter sits on top.
    let names_top_down: Vec<String> = sens.params.iter().rev().cloned().collect();
    let ypos = |j: usize| n.saturating_sub(1 + j) as f64;
    render(path, size, |root| {
        let body = root.titled(title, (FONT, 22))?;
        let (key, body) = body.split_vertically(40);
        for (b, name) in names.iter().enumerate() {
            let x = 120 + 420 * b as i32;
            key.draw(&Rectangle::new([(x, 12), (x + 16, 28)], PALETTE[b].filled()))?;
            key.draw(&Text::new(
                *name,
                (x + 24, 20),
                TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let panels = body.split_evenly((rows, 2));
        for (out, area) in sens.outputs.iter().zip(&panels) {
            // (value, lo, hi) of the two bars per parameter.
            let bars: Vec<[(f64, f64, f64); 2]> = out
                .values
                .iter()
                .map(|v| match sens.method {
                    Method::Sobol => [(get(v, 0), get(v, 1), get(v, 2)), (get(v, 3), get(v, 4), get(v, 5))],
                    Method::Morris => [(get(v, 1), f64::NAN, f64::NAN), (get(v, 2), f64::NAN, f64::NAN)],
                })
                .collect();
            let vals = bars
                .iter()
                .flatten()
                .flat_map(|b| [b.0, b.1, b.2])
                .filter(|v| v.is_finite());
            let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
            let hi = if hi - lo < 1e-9 {
                lo + 1.0
            } else {
                hi + (hi - lo) * 0.08
            };
            let mut chart = ChartBuilder::on(area)
                .caption(&out.output, (FONT, 17))
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(y_area)
                .build_cartesian_2d(
                    lo..hi,
                    TickAxis::new(-0.5, n as f64 - 0.5, (0..n).map(|i| i as f64).collect()),
                )?;
            chart
                .configure_mesh()
                .light_line_style(WHITE.mix(0.0))
                .disable_y_mesh()
                .x_label_formatter(&|x| {
                    // Avoid "-0.0" at the origin.
                    if x.abs() < 1e-9 {
                        "0".to_string()
                    } else {
                        super::numbers::fmt_value(*x)
                    }
                })
                .y_label_formatter(&|y| category(*y, &names_top_down))
                .label_style((FONT, 13))
                .draw()?;
            for (b, color) in PALETTE.iter().take(2).enumerate() {
                // Upper bar S1 / mu*, lower bar ST / sigma, inside the parameter's band.
                let off = if b == 0 { 0.03 } else { -0.37 };
                chart.draw_series(bars.iter().enumerate().map(|(j, v)| {
                    let y = ypos(j) + off;
                    Rectangle::new([(0.0, y), (finite(v[b].0), y + 0.34)], color.filled())
                }))?;
                chart.draw_series(
                    bars.iter()
                        .enumerate()
                        .filter(|(_, v)| v[b].1.is_finite() && v[b].2.is_finite())
                        .map(|(j, v)| {
                            let y = ypos(j) + off + 0.17;
                            let (m, l, h) = v[b];
                            ErrorBar::new_horizontal(y, l, finite(m), h, BLACK.stroke_width(1), 6)
                        }),
                )?;
            }
        }
        Ok(())
    })
}

fn get(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// One outcome's difference between two scenarios: the estimate with its paired and
/// unpaired 95% intervals (probability points).
pub(crate) struct DiffBar {
    pub outcome: Outcome,
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    pub unpaired_lo: f64,
    pub unpaired_hi: f64,
}

/// Paired differences of outcome probabilities (B − A) with their 95% intervals, beside
/// the interval the same runs would give if they were not paired.
pub(crate) fn differences(path: &Path, title: &str, bars: &[DiffBar]) -> Result<String> {
    render(path, SIZE, |root| {
        let ext = bars
            .iter()
            .flat_map(|b| [b.lo, b.hi, b.unpaired_lo, b.unpaired_hi, b.diff])
            .filter(|v| v.is_finite())
            .fold(0.01f64, |m, v| m.max(v.abs()));
        let top = (ext * 1.15).min(1.0);
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(TickAxis::new(-0.5, 3.5, vec![0.0, 1.0, 2.0, 3.0]), -top..top)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .disable_x_mesh()
            .x_label_formatter(&|x| category(*x, &Outcome::ALL.map(Outcome::as_str)))
            .y_label_formatter(&|v| format!("{:+.1} pp", v * 100.0))
            .x_desc("outcome at the horizon")
            .y_desc("difference in probability, B − A")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (3.5, 0.0)],
            BLACK.stroke_width(1),
        )))?;
        let paired = PALETTE[0];
        chart
            .draw_series(bars.iter().map(|b| {
                let x = b.outcome.index() as f64 - 0.12;
                ErrorBar::new_vertical(x, b.lo, finite(b.diff), b.hi, paired.stroke_width(3), 14)
            }))?
            .label("paired (common random numbers)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], paired.stroke_width(3)));
        chart
            .draw_series(bars.iter().map(|b| {
                let x = b.outcome.index() as f64 + 0.12;
                ErrorBar::new_vertical(
                    x,
                    b.unpaired_lo,
                    finite(b.diff),
                    b.unpaired_hi,
                    REFERENCE.stroke_width(2),
                    10,
                )
            }))?
            .label("same runs, unpaired")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], REFERENCE.stroke_width(2)));
        chart.draw_series(bars.iter().map(|b| {
            let x = b.outcome.index() as f64 - 0.12;
            Circle::new((x, finite(b.diff)), 4, paired.filled())
        }))?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

/// PRIM's trade-off: coverage against density of every box on the peeling trajectory,
/// coloured by how many parameters the box restricts, the chosen box ringed.
pub(crate) fn prim(path: &Path, prim: &super::prim::Prim, params: usize) -> Result<String> {
    let full = &prim.trajectory[0];
    let pts: Vec<(f64, f64, usize)> = prim
        .trajectory
        .iter()
        .map(|b| {
            let r = (0..params).filter(|&d| super::prim::restricts(b, full, d)).count();
            (b.coverage, b.density, r)
        })
        .collect();
    let most = pts.iter().map(|p| p.2).max().unwrap_or(0);
    let title = format!("PRIM peeling trajectory for {}", prim.target);
    render(path, SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(&title, (FONT, 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..1.02, 0.0..1.02)?;
        chart
            .configure_mesh()
            .x_desc("coverage (share of all points of interest inside the box)")
            .y_desc("density (share of the box's points that are of interest)")
            .x_label_formatter(&percent_label)
            .y_label_formatter(&percent_label)
            .label_style((FONT, 14))
            .draw()?;
        chart.draw_series(LineSeries::new(
            pts.iter().map(|p| (p.0, p.1)),
            REFERENCE.stroke_width(1),
        ))?;
        for r in 0..=most {
            let color = PALETTE[r % PALETTE.len()];
            chart
                .draw_series(
                    pts.iter()
                        .filter(|p| p.2 == r)
                        .map(|p| Circle::new((p.0, p.1), 4, color.filled())),
                )?
                .label(format!("{r} parameter{} restricted", if r == 1 { "" } else { "s" }))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
        let c = pts[prim.chosen];
        chart
            .draw_series(std::iter::once(Circle::new((c.0, c.1), 9, BLACK.stroke_width(2))))?
            .label("chosen box (max coverage x density)")
            .legend(|(x, y)| Circle::new((x + 8, y), 6, BLACK.stroke_width(2)));
        let r = &prim.reported;
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (r.coverage, r.density),
                8,
                BLACK.filled(),
            )))?
            .label("reported box (restrictions that matter)")
            .legend(|(x, y)| TriangleMarker::new((x + 8, y), 6, BLACK.filled()));
        let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
        legend(&mut chart, free_corner(&xy, (0.0, 1.02), (0.0, 1.02)))
    })
}
