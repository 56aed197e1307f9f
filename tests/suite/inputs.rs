//! Issue 18: malformed scenario files (truncations, wrong types, huge numbers, NaN and
//! infinity spelt as strings or bare, deep nesting, flipped bytes) are refused with a
//! message naming the file, never a panic; the CLI exits 2 on them.

use crate::common;
use common::*;

use coopetition::scenario::load::parse_scenario;
use proptest::prelude::*;

fn baseline_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml")).expect("baseline.toml")
}

/// Values that do not belong where a number, flag or word does.
const BAD_VALUES: &[&str] = &[
    "\"text\"",
    "[1, 2]",
    "{ a = 1 }",
    "1e400",
    "-1e400",
    "99999999999999999999999",
    "-9223372036854775809",
    "0x7fffffffffffffff",
    "\"nan\"",
    "\"inf\"",
    "nan",
    "inf",
    "-inf",
    "true",
    "1979-05-27",
    "",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file at a byte (rounded down to a character boundary).
    Truncate(usize),
    /// Replace the value of the k-th `key = value` line.
    Value(usize, &'static str),
    /// Add a key nested `depth` deep in arrays or inline tables.
    Nest(usize, bool),
    /// Overwrite a byte.
    Byte(usize, u8),
}

fn apply(text: &str, m: &Mutation) -> String {
    match *m {
        Mutation::Truncate(at) => {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }
        Mutation::Value(k, v) => {
            let lines: Vec<&str> = text.lines().collect();
            let assignments: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(" = ") && !lines[i].trim_start().starts_with('#'))
                .collect();
            let Some(&target) = assignments.get(k % assignments.len().max(1)) else {
                return text.to_string();
            };
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| match (i == target, l.split_once(" = ")) {
                    (true, Some((key, _))) => format!("{key} = {v}"),
                    _ => l.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Mutation::Nest(depth, arrays) => {
            let (open, close) = if arrays { ("[", "]") } else { ("{ a = ", " }") };
            format!("deep = {}1{}\n{text}", open.repeat(depth), close.repeat(depth))
        }
        Mutation::Byte(at, b) => {
            let mut bytes = text.as_bytes().to_vec();
            if bytes.is_empty() {
                return String::new();
            }
            let at = at % bytes.len();
            bytes[at] = b;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::sample::select(BAD_VALUES)).prop_map(|(k, v)| Mutation::Value(k, v)),
        (prop::sample::select(vec![2usize, 64, 1_000, 100_000]), any::<bool>()).prop_map(|(d, a)| Mutation::Nest(d, a)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn malformed_scenarios_are_refused_naming_the_file(ms in prop::collection::vec(mutation(), 1..4)) {
        let mut text = baseline_text();
        for m in &ms {
            text = apply(&text, m);
        }
        match std::panic::catch_unwind(|| parse_scenario(&text, "fuzz.toml")) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("fuzz.toml"), "message does not name the file: {}", msg);
            }
            Err(_) => return Err(TestCaseError::fail(format!("parse panicked on {ms:?}"))),
        }
    }
}

/// The same inputs through the binary: exit 2 and the file named, for each kind.
#[test]
fn the_cli_exits_2_on_malformed_scenarios() {
    let t = tmp();
    let base = baseline_text();
    // Cut inside the name's quoted string.
    let inside_name = base.find("name = \"").expect("a name") + 10;
    let cases = [
        Mutation::Truncate(inside_name),
        Mutation::Value(5, "1e400"),
        Mutation::Value(7, "\"nan\""),
        Mutation::Value(9, "[1, 2]"),
        Mutation::Nest(100_000, true),
        Mutation::Nest(100_000, false),
    ];
    for (i, m) in cases.iter().enumerate() {
        let f = write(t.path(), &format!("bad{i}.toml"), &apply(&base, m));
        let o = run(&["validate", s(&f)]);
        assert_eq!(code(&o), 2, "{m:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("bad{i}.toml")), "{m:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{m:?}: {}", stderr(&o));
    }
}
