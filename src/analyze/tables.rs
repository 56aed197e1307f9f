//! Outcome probabilities, convergence, and a small table type rendered as text,
//! Markdown or HTML.

use super::csvio::num;
use super::input::{Dataset, Kind};
use super::numbers::{pct, prob};
use crate::outcome::Outcome;

/// Most sweep points listed in the terminal and report tables.
const MAX_ROWS: usize = 30;

/// Outcome probability of one point with its 95% Wilson interval.
#[derive(Debug, Clone)]
pub(crate) struct Prob {
    pub point: u64,
    pub outcome: Outcome,
    pub runs: u64,
    pub count: u64,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Probabilities of every outcome at every point, in point then outcome order.
pub(crate) fn probabilities(ds: &Dataset) -> Vec<Prob> {
    let mut out = Vec::new();
    for (i, &point) in ds.point_ids.iter().enumerate() {
        let counts = ds.counts(i);
        let runs = ds.runs[i].len() as u64;
        for o in Outcome::ALL {
            let (p, lo, hi) = prob(counts[o.index()], runs);
            out.push(Prob {
                point,
                outcome: o,
                runs,
                count: counts[o.index()],
                p,
                lo,
                hi,
            });
        }
    }
    out
}

/// Rows of `outcome_probabilities.csv`.
pub(crate) fn probability_rows(probs: &[Prob]) -> Vec<Vec<String>> {
    probs
        .iter()
        .map(|p| {
            vec![
                p.point.to_string(),
                p.outcome.as_str().to_string(),
                p.runs.to_string(),
                p.count.to_string(),
                num(p.p),
                num(p.lo),
                num(p.hi),
                num(p.outcome.article_reference()),
            ]
        })
        .collect()
}

/// One row of `convergence.csv`: the estimate after the first `runs` runs.
#[derive(Debug, Clone)]
pub(crate) struct Conv {
    pub point: u64,
    pub outcome: Outcome,
    pub runs: u64,
    pub p: f64,
    pub half_width: f64,
}

/// Run counts at which convergence is reported: 10, 20, 50, 100, 200, 500, ... below
/// `total`, then `total` itself.
pub(crate) fn checkpoints(total: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut decade = 10u64;
    'outer: loop {
        for m in [1, 2, 5] {
            let n = decade.saturating_mul(m);
            if n >= total {
                break 'outer;
            }
            out.push(n);
        }
        decade = decade.saturating_mul(10);
    }
    if total > 0 {
        out.push(total);
    }
    out
}

/// Estimates and interval half-widths over the first n runs (in run order) of each point.
pub(crate) fn convergence(ds: &Dataset) -> Vec<Conv> {
    let mut out = Vec::new();
    for (i, &point) in ds.point_ids.iter().enumerate() {
        let runs = &ds.runs[i];
        let mut counts = [0u64; 4];
        let mut seen = 0u64;
        for n in checkpoints(runs.len() as u64) {
            while seen < n {
                counts[runs[seen as usize].outcome.index()] += 1;
                seen += 1;
            }
            for o in Outcome::ALL {
                let (p, lo, hi) = prob(counts[o.index()], n);
                out.push(Conv {
                    point,
                    outcome: o,
                    runs: n,
                    p,
                    half_width: (hi - lo) / 2.0,
                });
            }
        }
    }
    out
}

/// Rows of `convergence.csv`.
pub(crate) fn convergence_rows(conv: &[Conv]) -> Vec<Vec<String>> {
    conv.iter()
        .map(|c| {
            vec![
                c.point.to_string(),
                c.outcome.as_str().to_string(),
                c.runs.to_string(),
                num(c.p),
                num(c.half_width),
            ]
        })
        .collect()
}

/// A table of text cells that renders for the terminal, Markdown and HTML alike.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// A line under the table (e.g. how many rows were left out).
    pub note: Option<String>,
}

impl Table {
    /// Aligned plain text: first column left-aligned, the others right-aligned.
    pub(crate) fn to_text(&self) -> String {
        let ncol = self.header.len();
        let mut width = vec![0usize; ncol];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |row: &Vec<String>| {
            let cells: Vec<String> = row
                .iter()
                .zip(&width)
                .enumerate()
                .map(
                    |(j, (c, &w))| {
                        if j == 0 { format!("{c:<w$}") } else { format!("{c:>w$}") }
                    },
                )
                .collect();
            cells.join("  ").trim_end().to_string()
        };
        let mut s = line(&self.header) + "\n";
        let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
        s += &"-".repeat(total);
        s.push('\n');
        for row in &self.rows {
            s += &line(row);
            s.push('\n');
        }
        if let Some(n) = &self.note {
            s += n;
            s.push('\n');
        }
        s
    }

    /// A Markdown pipe table.
    pub(crate) fn to_markdown(&self) -> String {
        let esc = |c: &String| c.replace('|', "\\|");
        let mut s = format!(
            "| {} |\n|{}\n",
            self.header.iter().map(esc).collect::<Vec<_>>().join(" | "),
            (0..self.header.len())
                .map(|j| if j == 0 { "---|" } else { "---:|" })
                .collect::<String>()
        );
        for row in &self.rows {
            s += &format!("| {} |\n", row.iter().map(esc).collect::<Vec<_>>().join(" | "));
        }
        if let Some(n) = &self.note {
            s += &format!("\n{n}\n");
        }
        s
    }

    /// An HTML table (cells escaped).
    pub(crate) fn to_html(&self) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for h in &self.header {
            s += &format!("<th>{}</th>", html_escape(h));
        }
        s += "</tr></thead>\n<tbody>\n";
        for row in &self.rows {
            s += "<tr>";
            for c in row {
                s += &format!("<td>{}</td>", html_escape(c));
            }
            s += "</tr>\n";
        }
        s += "</tbody>\n</table>\n";
        if let Some(n) = &self.note {
            s += &format!("<p class=\"note\">{}</p>\n", html_escape(n));
        }
        s
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The main table: outcome probabilities with 95% intervals beside the article's view.
/// A run gets one row per outcome; a sweep one row per point (at most [`MAX_ROWS`]).
pub(crate) fn main_table(ds: &Dataset, probs: &[Prob]) -> Table {
    match ds.kind {
        Kind::Run => Table {
            header: ["outcome", "runs", "count", "p", "95% CI", "article"]
                .map(String::from)
                .to_vec(),
            rows: probs
                .iter()
                .map(|p| {
                    vec![
                        p.outcome.as_str().to_string(),
                        p.runs.to_string(),
                        p.count.to_string(),
                        pct(p.p),
                        format!("{} – {}", pct(p.lo), pct(p.hi)),
                        pct(p.outcome.article_reference()),
                    ]
                })
                .collect(),
            note: None,
        },
        Kind::Sweep => sweep_table(ds, probs),
    }
}

fn sweep_table(ds: &Dataset, probs: &[Prob]) -> Table {
    let mut header = vec!["point".to_string()];
    header.extend(ds.params.iter().map(|p| p.name.clone()));
    header.push("runs".to_string());
    header.extend(Outcome::ALL.iter().map(|o| format!("{} (95% CI)", o.as_str())));
    let shown = ds.point_ids.len().min(MAX_ROWS);
    let mut rows: Vec<Vec<String>> = (0..shown)
        .map(|i| {
            let mut row = vec![ds.point_ids[i].to_string()];
            row.extend(ds.params.iter().map(|p| p.display(i)));
            row.push(ds.runs[i].len().to_string());
            for p in &probs[i * 4..i * 4 + 4] {
                row.push(format!("{} ({}–{})", pct(p.p), pct(p.lo), pct(p.hi)));
            }
            row
        })
        .collect();
    let mut reference = vec!["article".to_string()];
    reference.extend(std::iter::repeat_n(String::new(), ds.params.len() + 1));
    reference.extend(Outcome::ALL.iter().map(|o| pct(o.article_reference())));
    rows.push(reference);
    let note = (ds.point_ids.len() > shown).then(|| {
        format!(
            "... {} more points; all are in analysis/outcome_probabilities.csv.",
            ds.point_ids.len() - shown
        )
    });
    Table { header, rows, note }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_grow_then_end_at_total() {
        assert_eq!(checkpoints(5), vec![5]);
        assert_eq!(checkpoints(10), vec![10]);
        assert_eq!(checkpoints(120), vec![10, 20, 50, 100, 120]);
        assert_eq!(checkpoints(1000), vec![10, 20, 50, 100, 200, 500, 1000]);
        assert!(checkpoints(0).is_empty());
    }

    #[test]
    fn pct_formats() {
        assert_eq!(pct(0.6), "60%");
        assert_eq!(pct(0.05), "5%");
        assert_eq!(pct(0.0123), "1.2%");
        assert_eq!(pct(f64::NAN), "n/a");
    }

    #[test]
    fn markdown_and_html_escape() {
        let t = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x|y".into(), "<z>".into()]],
            note: None,
        };
        assert!(t.to_markdown().contains("x\\|y"));
        assert!(t.to_html().contains("&lt;z&gt;"));
        assert!(t.to_text().contains("<z>"));
    }
}
