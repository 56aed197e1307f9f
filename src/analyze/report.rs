//! `report.md` and `report.html`, rendered from one list of blocks so both carry the
//! same content. The HTML inlines every chart and its CSS, and references nothing
//! outside the file.

use std::collections::HashMap;

use super::tables::{Table, html_escape};

/// A piece of the report.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Heading(u8, String),
    Para(String),
    List(Vec<String>),
    Table(Table),
    /// A chart: file name in `analysis/` and a caption.
    Image {
        file: String,
        caption: String,
    },
}

/// Renders Markdown; images are linked by relative file name.
pub(crate) fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                s += &format!("{} {text}\n\n", "#".repeat(usize::from(*level).clamp(1, 6)));
            }
            Block::Para(text) => s += &format!("{text}\n\n"),
            Block::List(items) => {
                for i in items {
                    s += &format!("- {i}\n");
                }
                s.push('\n');
            }
            Block::Table(t) => s += &format!("{}\n", t.to_markdown()),
            Block::Image { file, caption } => s += &format!("![{caption}]({file})\n\n"),
        }
    }
    s
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;\
max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}\
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}\
figcaption{font-size:.9em;color:#555}.note{color:#555;font-size:.9em}code{background:#f4f4f4}";

/// Renders one self-contained HTML page; `svgs` maps a file name to its SVG text.
pub(crate) fn html(title: &str, blocks: &[Block], svgs: &HashMap<String, String>) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        html_escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let l = (*level).clamp(1, 6);
                s += &format!("<h{l}>{}</h{l}>\n", inline(text));
            }
            Block::Para(text) => s += &format!("<p>{}</p>\n", inline(text)),
            Block::List(items) => {
                s += "<ul>\n";
                for i in items {
                    s += &format!("<li>{}</li>\n", inline(i));
                }
                s += "</ul>\n";
            }
            Block::Table(t) => s += &t.to_html(),
            Block::Image { file, caption } => {
                let svg = svgs.get(file).map(|x| inline_svg(x)).unwrap_or_default();
                s += &format!(
                    "<figure>\n{svg}\n<figcaption>{} ({})</figcaption>\n</figure>\n",
                    html_escape(caption),
                    html_escape(file)
                );
            }
        }
    }
    s += "</body>\n</html>\n";
    s
}

/// Escapes text and turns Markdown `code` spans into `<code>`.
fn inline(text: &str) -> String {
    html_escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// SVG text ready to sit inside HTML: no XML prolog, and no namespace URL (HTML
/// parsers put `<svg>` in the SVG namespace themselves), so the page names no URL.
pub(crate) fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_inlines_svg_without_urls() {
        let blocks = vec![
            Block::Heading(1, "T <1>".into()),
            Block::Para("see `x`".into()),
            Block::Image {
                file: "a.svg".into(),
                caption: "A".into(),
            },
        ];
        let mut svgs = HashMap::new();
        svgs.insert(
            "a.svg".to_string(),
            "<?xml version=\"1.0\"?><svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_string(),
        );
        let h = html("t", &blocks, &svgs);
        assert!(h.contains("<svg width=\"1\"></svg>"));
        assert!(!h.contains("http"));
        assert!(h.contains("T &lt;1&gt;") && h.contains("<code>x</code>"));
        let m = markdown(&blocks);
        assert!(m.contains("# T <1>") && m.contains("![A](a.svg)"));
    }
}
