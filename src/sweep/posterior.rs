//! The posterior a `design = "posterior"` sweep samples: the `posterior.csv` an ABC
//! calibration writes.
//!
//! Format (header, then one row per particle):
//! `particle,weight,distance,<param path>,...` — `particle` a whole number (distinct),
//! `weight` a finite number ≥ 0 (normalised here; not all 0), `distance` a number (not
//! used for sampling), then one column per free parameter named by its dotted scenario
//! path (as `--set` and `vary.param` name it), values finite numbers. Every error names
//! the file, the line and the column.

use std::path::Path;

use crate::scenario::Scenario;
use crate::scenario::load;

/// The first columns of a posterior, in this order.
pub const FIXED_COLUMNS: [&str; 3] = ["particle", "weight", "distance"];

/// A parsed posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// Parameter paths, in column order.
    pub params: Vec<String>,
    /// Whether each parameter is an integer in the scenario (its values are rounded).
    pub integer: Vec<bool>,
    /// Particles in file order.
    pub particles: Vec<Particle>,
}

/// One particle (row) of a posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    /// Line in the file (1-based; the header is line 1).
    pub line: u64,
    pub id: u64,
    /// As written (not normalised).
    pub weight: f64,
    /// One value per parameter.
    pub values: Vec<f64>,
}

impl Posterior {
    /// `n` particle indices drawn by weight with systematic resampling from the uniform
    /// offset `u` in `[0, 1)`, in particle (file) order.
    pub fn draw(&self, n: usize, u: f64) -> Vec<usize> {
        let w: Vec<f64> = self.particles.iter().map(|p| p.weight).collect();
        crate::stats::design::systematic(&w, n, u)
    }
}

/// `path, line L, column C (`name`): message`.
fn at(path: &Path, line: u64, column: usize, name: &str, message: impl std::fmt::Display) -> String {
    format!("{}, line {line}, column {column} (`{name}`): {message}", path.display())
}

/// Reads and checks a posterior against the base scenario its parameters belong to.
/// Errors are plain messages naming the file, line and column.
pub fn read(path: &Path, base: &Scenario) -> Result<Posterior, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: cannot read the posterior: {e}", path.display()))?;
    if path.is_dir() {
        return Err(format!(
            "{}: cannot read the posterior: is a directory, expected a CSV file",
            path.display()
        ));
    }
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let csv_error = |e: csv::Error| -> String {
        let line = e.position().map(csv::Position::line);
        match (e.kind(), line) {
            (csv::ErrorKind::UnequalLengths { expected_len, len, .. }, Some(l)) => format!(
                "{}, line {l}: {len} cells, but the header has {expected_len} columns",
                path.display()
            ),
            (_, Some(l)) => format!("{}, line {l}: {e}", path.display()),
            (_, None) => format!("{}: {e}", path.display()),
        }
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(format!(
            "{}, line 1: empty file: a posterior starts with the header `{},<param path>,...`",
            path.display(),
            FIXED_COLUMNS.join(",")
        ));
    }
    for (j, want) in FIXED_COLUMNS.iter().enumerate() {
        match header.get(j) {
            Some(h) if h == want => {}
            found => {
                return Err(at(
                    path,
                    1,
                    j + 1,
                    found.map_or("", String::as_str),
                    format!(
                        "expected `{want}`: a posterior's header is `{},` then one column per parameter path",
                        FIXED_COLUMNS.join(",")
                    ),
                ));
            }
        }
    }
    if header.len() == FIXED_COLUMNS.len() {
        return Err(format!(
            "{}, line 1: no parameter columns after `{}`",
            path.display(),
            FIXED_COLUMNS.join(",")
        ));
    }
    let params: Vec<String> = header[FIXED_COLUMNS.len()..].to_vec();
    let mut integer = Vec::with_capacity(params.len());
    for (k, name) in params.iter().enumerate() {
        let column = FIXED_COLUMNS.len() + k + 1;
        let fail = |m: String| at(path, 1, column, name, m);
        if name.is_empty() {
            return Err(fail("empty column name: name the parameter by its path".into()));
        }
        if params[..k].contains(name) {
            return Err(fail(format!("parameter `{name}` appears twice")));
        }
        if name == "horizon_months" {
            return Err(fail(
                "`horizon_months` cannot be varied in a sweep; run one sweep per horizon".into(),
            ));
        }
        match load::current_value(base, name) {
            Ok(toml::Value::Integer(_)) => integer.push(true),
            Ok(toml::Value::Float(_)) => integer.push(false),
            Ok(other) => {
                return Err(fail(format!(
                    "`{name}` is not a numeric parameter (it is {})",
                    other.type_str()
                )));
            }
            Err(m) => return Err(fail(m)),
        }
    }

    let mut particles: Vec<Particle> = Vec::new();
    let mut seen: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |j: usize| record.get(j).unwrap_or("");
        let number = |j: usize| -> Result<f64, String> {
            let text = cell(j);
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                Ok(_) => Err(at(
                    path,
                    line,
                    j + 1,
                    &header[j],
                    format!("{text} is not a finite number"),
                )),
                Err(_) if text.is_empty() => Err(at(path, line, j + 1, &header[j], "empty cell: expected a number")),
                Err(_) => Err(at(path, line, j + 1, &header[j], format!("`{text}` is not a number"))),
            }
        };
        let id: u64 = cell(0).parse().map_err(|_| {
            at(
                path,
                line,
                1,
                "particle",
                format!("`{}` is not a particle number (a whole number >= 0)", cell(0)),
            )
        })?;
        if let Some(first) = seen.insert(id, line) {
            return Err(at(
                path,
                line,
                1,
                "particle",
                format!("particle {id} appears twice (first on line {first})"),
            ));
        }
        let weight = number(1)?;
        if weight < 0.0 {
            return Err(at(path, line, 2, "weight", format!("{weight} is negative")));
        }
        // The distance is informative only; it must still be a number.
        if cell(2).parse::<f64>().is_err() {
            return Err(at(path, line, 3, "distance", format!("`{}` is not a number", cell(2))));
        }
        let values = (0..params.len())
            .map(|k| number(FIXED_COLUMNS.len() + k))
            .collect::<Result<Vec<f64>, String>>()?;
        particles.push(Particle {
            line,
            id,
            weight,
            values,
        });
    }
    if particles.is_empty() {
        return Err(format!("{}: no particles (the file has only a header)", path.display()));
    }
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(format!(
            "{}, column 2 (`weight`): the weights sum to {total}; need a positive finite sum",
            path.display()
        ));
    }
    Ok(Posterior {
        params,
        integer,
        particles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Posterior, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("posterior.csv");
        std::fs::write(&p, text).unwrap();
        read(&p, &Scenario::default()).map_err(|e| e.replace(&p.display().to_string(), "P"))
    }

    #[test]
    fn reads_particles_in_file_order() {
        let post = read_text(
            "particle,weight,distance,regulation.stringency,partnership.bid_propensity\n\
             0,0.75,0.8,0.5,0.1\n1,0.25,1.2,2.0,0.2\n",
        )
        .unwrap();
        assert_eq!(post.params, ["regulation.stringency", "partnership.bid_propensity"]);
        assert_eq!(post.integer, [false, false]);
        assert_eq!(post.particles.len(), 2);
        assert_eq!(post.particles[1].line, 3);
        assert_eq!(post.particles[1].values, [2.0, 0.2]);
        assert_eq!(post.draw(8, 0.5), [0, 0, 0, 0, 0, 0, 1, 1]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let h = "particle,weight,distance,regulation.stringency\n";
        let cases = [
            (
                format!("{h}0,0.5,1,1\n1,x,1,1\n"),
                "P, line 3, column 2 (`weight`): `x` is not a number",
            ),
            (
                format!("{h}0,-1,1,1\n"),
                "P, line 2, column 2 (`weight`): -1 is negative",
            ),
            (
                format!("{h}0,NaN,1,1\n"),
                "P, line 2, column 2 (`weight`): NaN is not a finite number",
            ),
            (format!("{h}0,0,1,1\n1,0,1,1\n"), "the weights sum to 0"),
            (
                format!("{h}0,1,1,\n"),
                "P, line 2, column 4 (`regulation.stringency`): empty cell",
            ),
            (
                format!("{h}0,1,1,1\n0,1,1,1\n"),
                "particle 0 appears twice (first on line 2)",
            ),
            (format!("{h}a,1,1,1\n"), "column 1 (`particle`)"),
            (
                format!("{h}0,1,1\n"),
                "P, line 2: 3 cells, but the header has 4 columns",
            ),
            (h.to_string(), "no particles"),
            ("particle,weight,distance\n0,1,1\n".into(), "no parameter columns"),
            (
                "particle,distance,weight,x\n".into(),
                "line 1, column 2 (`distance`): expected `weight`",
            ),
            (
                "particle,weight,distance,regulation.stringenc\n0,1,1,1\n".into(),
                "line 1, column 4 (`regulation.stringenc`): unknown parameter `regulation.stringenc` (did you mean `regulation.stringency`?)",
            ),
            (
                "particle,weight,distance,horizon_months\n0,1,1,1\n".into(),
                "cannot be varied",
            ),
            ("".into(), "empty file"),
        ];
        for (text, want) in cases {
            let e = read_text(&text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        let e = read(Path::new("/nonexistent/posterior.csv"), &Scenario::default()).unwrap_err();
        assert!(
            e.starts_with("/nonexistent/posterior.csv: cannot read the posterior"),
            "{e}"
        );
    }
}
