//! Parquet tables (`--format parquet`, cargo feature `parquet`): a finished CSV table is
//! converted, value for value, into a typed Parquet file, and a Parquet table is read back
//! as CSV text, so every reader of result tables (analyze, merge) takes either format.
//!
//! Converting the finished CSV keeps one writer of every value (the CSV row renderers)
//! and one resumable journal (the sweep's partial CSV streams): a Parquet file cannot be
//! appended to, so it is made once, when its table is complete.

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, IntType, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::{Field, reader::RowIter};
use parquet::schema::types::Type;

use super::columns::{push_field, push_num};
use crate::fsutil::PendingFile;

/// Rows per row group: 91 columns × 32,768 rows × 8 bytes is about 24 MB in flight.
const ROW_GROUP: usize = 32_768;

/// A column's Parquet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// INT64: run and point indices, months, counts, codes.
    Integer,
    /// INT64 annotated unsigned 64-bit: seeds (any u64).
    Unsigned,
    /// DOUBLE.
    Number,
    /// BYTE_ARRAY annotated UTF-8.
    Text,
}

/// The type a column's name fixes, or `None` when its content decides (sweep parameters,
/// which are numbers or category labels: `Number` if every value parses, else `Text`).
pub fn kind_of(name: &str) -> Option<Kind> {
    match name {
        "seed" => Some(Kind::Unsigned),
        "run" | "tick" | "outcome_tick" | "point" | "runs" | "startups_alive" | "exclusivity"
        | "partnership_status" | "researchers" => Some(Kind::Integer),
        "outcome" | "outcome_route" | "date" | "kind" | "actor" | "target" | "detail" | "error" | "metric" => {
            Some(Kind::Text)
        }
        _ if name.starts_with("stage_") || name.starts_with("headcount_") => Some(Kind::Integer),
        _ => None,
    }
}

fn invalid(path: &Path, msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {msg}", path.display()))
}

fn pq(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> std::io::Error + '_ {
    move |e| invalid(path, e.to_string())
}

fn csv_reader(path: &Path) -> std::io::Result<csv::Reader<File>> {
    csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| invalid(path, e.to_string()))
}

/// The column kinds of the CSV table at `path` (one pass over it).
fn kinds(path: &Path, header: &csv::StringRecord) -> std::io::Result<Vec<Kind>> {
    let fixed: Vec<Option<Kind>> = header.iter().map(kind_of).collect();
    let mut numeric = vec![true; header.len()];
    if fixed.iter().any(Option::is_none) {
        let mut r = csv_reader(path)?;
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).map_err(|e| invalid(path, e.to_string()))? {
            for (i, v) in rec.iter().enumerate() {
                if fixed[i].is_none() && !v.is_empty() && v.parse::<f64>().is_err() {
                    numeric[i] = false;
                }
            }
        }
    }
    Ok(fixed
        .iter()
        .zip(numeric)
        .map(|(k, num)| k.unwrap_or(if num { Kind::Number } else { Kind::Text }))
        .collect())
}

fn schema(header: &csv::StringRecord, kinds: &[Kind]) -> parquet::errors::Result<Type> {
    let mut fields = Vec::with_capacity(kinds.len());
    for (name, kind) in header.iter().zip(kinds) {
        let b = match kind {
            Kind::Integer => Type::primitive_type_builder(name, Physical::INT64),
            Kind::Unsigned => Type::primitive_type_builder(name, Physical::INT64).with_logical_type(Some(
                LogicalType::Integer(IntType {
                    bit_width: 64,
                    is_signed: false,
                }),
            )),
            Kind::Number => Type::primitive_type_builder(name, Physical::DOUBLE),
            Kind::Text => {
                Type::primitive_type_builder(name, Physical::BYTE_ARRAY).with_logical_type(Some(LogicalType::String))
            }
        };
        fields.push(Arc::new(b.with_repetition(Repetition::OPTIONAL).build()?));
    }
    Type::group_type_builder("schema").with_fields(fields).build()
}

/// One row group's values of a column, with definition levels (0 = empty field).
enum Values {
    Int(Vec<i64>),
    Num(Vec<f64>),
    Text(Vec<ByteArray>),
}

/// Converts the complete CSV table `csv_path` into `parquet_path` (written to a temporary
/// name and renamed into place). Every value keeps its CSV value; an empty field becomes
/// a null, except in text columns, where it stays an empty string.
pub fn csv_to_parquet(csv_path: &Path, parquet_path: &Path) -> std::io::Result<()> {
    let mut reader = csv_reader(csv_path)?;
    let header = reader.headers().map_err(|e| invalid(csv_path, e.to_string()))?.clone();
    let kinds = kinds(csv_path, &header)?;
    let err = pq(parquet_path);
    let schema = Arc::new(schema(&header, &kinds).map_err(&err)?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let pending = PendingFile::new(parquet_path);
    let file = BufWriter::with_capacity(1 << 20, File::create(pending.tmp())?);
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(&err)?;

    let mut values: Vec<Values> = kinds
        .iter()
        .map(|k| match k {
            Kind::Integer | Kind::Unsigned => Values::Int(Vec::new()),
            Kind::Number => Values::Num(Vec::new()),
            Kind::Text => Values::Text(Vec::new()),
        })
        .collect();
    let mut levels: Vec<Vec<i16>> = vec![Vec::new(); kinds.len()];
    let mut rec = csv::StringRecord::new();
    let mut rows = 0;
    loop {
        let more = reader
            .read_record(&mut rec)
            .map_err(|e| invalid(csv_path, e.to_string()))?;
        if more {
            let line = rec.position().map_or(0, |p| p.line());
            for (i, v) in rec.iter().enumerate() {
                let bad = || {
                    invalid(
                        csv_path,
                        format!("line {line}, column {}: `{v}` is not a {:?}", &header[i], kinds[i]),
                    )
                };
                if v.is_empty() && !matches!(kinds[i], Kind::Text) {
                    levels[i].push(0);
                    continue;
                }
                levels[i].push(1);
                match (&mut values[i], kinds[i]) {
                    (Values::Int(x), Kind::Unsigned) => x.push(v.parse::<u64>().map_err(|_| bad())? as i64),
                    (Values::Int(x), _) => x.push(v.parse::<i64>().map_err(|_| bad())?),
                    (Values::Num(x), _) => x.push(v.parse::<f64>().map_err(|_| bad())?),
                    (Values::Text(x), _) => x.push(ByteArray::from(v)),
                }
            }
            rows += 1;
        }
        if rows == ROW_GROUP || (!more && rows > 0) {
            let mut group = writer.next_row_group().map_err(&err)?;
            for (vals, lv) in values.iter_mut().zip(levels.iter_mut()) {
                let mut col = group
                    .next_column()
                    .map_err(&err)?
                    .ok_or_else(|| invalid(parquet_path, "the schema has fewer columns than the table".into()))?;
                match vals {
                    Values::Int(x) => col.typed::<Int64Type>().write_batch(x, Some(lv), None),
                    Values::Num(x) => col.typed::<DoubleType>().write_batch(x, Some(lv), None),
                    Values::Text(x) => col.typed::<ByteArrayType>().write_batch(x, Some(lv), None),
                }
                .map_err(&err)?;
                col.close().map_err(&err)?;
                match vals {
                    Values::Int(x) => x.clear(),
                    Values::Num(x) => x.clear(),
                    Values::Text(x) => x.clear(),
                }
                lv.clear();
            }
            group.close().map_err(&err)?;
            rows = 0;
        }
        if !more {
            break;
        }
    }
    let file = writer.into_inner().map_err(&err)?;
    let file = file.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    pending.commit()
}

/// A Parquet table read as CSV text (header line, then one line per row), so the CSV
/// readers of `analyze` and `merge` take Parquet files unchanged. Numbers are written as
/// the CSV writers write them, so the text parses to the same values.
pub struct ParquetText {
    rows: RowIter<'static>,
    path: PathBuf,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ParquetText {
    pub fn open(path: &Path) -> std::io::Result<ParquetText> {
        let reader = SerializedFileReader::new(File::open(path)?).map_err(pq(path))?;
        let mut line = String::new();
        for (i, col) in reader
            .metadata()
            .file_metadata()
            .schema()
            .get_fields()
            .iter()
            .enumerate()
        {
            if i > 0 {
                line.push(',');
            }
            push_field(&mut line, col.name());
        }
        line.push('\n');
        let rows = RowIter::from_file_into(Box::new(reader));
        Ok(ParquetText {
            rows,
            path: path.into(),
            buf: line.into_bytes(),
            pos: 0,
            done: false,
        })
    }

    /// Renders the next rows into `buf` (about 64 kB at a time).
    fn refill(&mut self) -> std::io::Result<()> {
        self.buf.clear();
        self.pos = 0;
        let mut line = String::new();
        while self.buf.len() < 1 << 16 {
            let Some(row) = self.rows.next() else {
                self.done = true;
                break;
            };
            let row = row.map_err(pq(&self.path))?;
            line.clear();
            for (i, (_, field)) in row.get_column_iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                match field {
                    Field::Null => {}
                    Field::Long(v) => line.push_str(itoa::Buffer::new().format(*v)),
                    Field::ULong(v) => line.push_str(itoa::Buffer::new().format(*v)),
                    Field::Double(v) => push_num(&mut line, *v),
                    Field::Str(s) => push_field(&mut line, s),
                    other => push_field(&mut line, &other.to_string()),
                }
            }
            line.push('\n');
            self.buf.extend_from_slice(line.as_bytes());
        }
        Ok(())
    }
}

impl Read for ParquetText {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table with every kind of cell: quoted text, empty cells, a seed above i64::MAX,
    /// NaN, a categorical parameter and a numeric one.
    const TABLE: &str = "point,run,seed,outcome,outcome_tick,tension,detail,partnership.exclusivity,regulation.stringency\n\
        0,0,18446744073709551615,symbiosis,18,0.40126829012594867,\"5 researchers, 2 \"\"senior\"\"\",rofr,0.5\n\
        0,1,7,decoupling,,NaN,,exclusive,2\n\
        1,0,0,divestiture,3,-1e-300,plain,none,1e300\n";

    #[test]
    fn a_table_reads_back_as_the_csv_it_was_converted_from() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("t.csv");
        std::fs::write(&csv, TABLE).unwrap();
        let pq = dir.path().join("t.parquet");
        csv_to_parquet(&csv, &pq).unwrap();
        assert!(!crate::fsutil::temp_path(&pq).exists());
        let mut text = String::new();
        ParquetText::open(&pq).unwrap().read_to_string(&mut text).unwrap();
        // The table's numbers are already in the writers' shortest form, so the text is
        // the CSV byte for byte.
        assert_eq!(text, TABLE);

        let reader = SerializedFileReader::new(File::open(&pq).unwrap()).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let types: Vec<(String, Physical)> = schema
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.physical_type()))
            .collect();
        assert_eq!(types[0], ("point".into(), Physical::INT64));
        assert_eq!(types[2], ("seed".into(), Physical::INT64));
        assert_eq!(types[3], ("outcome".into(), Physical::BYTE_ARRAY));
        assert_eq!(types[5], ("tension".into(), Physical::DOUBLE));
        assert_eq!(types[7], ("partnership.exclusivity".into(), Physical::BYTE_ARRAY));
        assert_eq!(types[8], ("regulation.stringency".into(), Physical::DOUBLE));
    }

    #[test]
    fn conversion_is_deterministic_and_an_empty_table_has_its_columns() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("failures.csv");
        std::fs::write(&csv, "run,seed,error\n").unwrap();
        let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
        csv_to_parquet(&csv, &a).unwrap();
        csv_to_parquet(&csv, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let mut text = String::new();
        ParquetText::open(&a).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "run,seed,error\n");
    }

    #[test]
    fn a_cell_that_does_not_fit_its_column_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("o.csv");
        std::fs::write(&csv, "run,tension\n0,0.5\nx,0.1\n").unwrap();
        let e = csv_to_parquet(&csv, &dir.path().join("o.parquet")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("o.csv") && msg.contains("line 3") && msg.contains("column run"),
            "{msg}"
        );
    }
}
