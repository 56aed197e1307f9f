//! The derives behind coopetition's parameter registry.
//!
//! - `#[derive(Params)]` on a scenario struct: every field says what it is, in one place,
//!   beside its declaration. A knob carries its meaning (the doc comment), unit and range:
//!   `#[param(unit = "share", min = 0, max = 1)]`; `#[param(words)]` marks an enum knob
//!   (its words from the type's `Variants`); `initial` marks a knob that only sets the
//!   state at the start of a run (a dated event cannot change it); `#[param(table)]` a
//!   nested table of knobs (`label = "..."` prefixes their meanings), `#[param(list)]` a
//!   list of tables (the roster), `#[param(skip)]` a field that is no knob (names, free
//!   text, events; set only at the start). A field without `#[param]` does not compile, so
//!   no knob escapes the registry.
//! - `#[derive(Variants)]` on a fieldless enum: its variants in order and their serde
//!   words (`rename_all = "snake_case"` and `rename` are honoured).
//!
//! Both expand to impls of traits in `coopetition::scenario::params`, so they are meant
//! for that crate alone.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::ext::IdentExt;
use syn::{
    Attribute, Data, DeriveInput, Error, Expr, ExprLit, Fields, GenericArgument, Lit, LitStr, Meta, PathArguments,
    Type, parse_macro_input,
};

/// The registry entry of every field of a struct (see the crate docs).
#[proc_macro_derive(Params, attributes(param))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    params(&input).unwrap_or_else(Error::into_compile_error).into()
}

/// The variants of a fieldless enum and their serde words (see the crate docs).
#[proc_macro_derive(Variants)]
pub fn derive_variants(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    variants(&input).unwrap_or_else(Error::into_compile_error).into()
}

/// What a field's `#[param(...)]` says.
#[derive(Default)]
struct ParamAttr {
    skip: bool,
    table: bool,
    list: bool,
    words: bool,
    initial: bool,
    unit: Option<LitStr>,
    min: Option<Expr>,
    max: Option<Expr>,
    label: Option<LitStr>,
}

impl ParamAttr {
    fn of(field: &syn::Field) -> syn::Result<Option<ParamAttr>> {
        let mut found = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("param")) {
            let mut out = ParamAttr::default();
            attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                match key.as_str() {
                    "skip" => out.skip = true,
                    "table" => out.table = true,
                    "list" => out.list = true,
                    "words" => out.words = true,
                    "initial" => out.initial = true,
                    "unit" => out.unit = Some(meta.value()?.parse()?),
                    "label" => out.label = Some(meta.value()?.parse()?),
                    "min" => out.min = Some(meta.value()?.parse()?),
                    "max" => out.max = Some(meta.value()?.parse()?),
                    _ => {
                        return Err(meta.error("expected skip, table, list, words, initial, unit, min, max or label"));
                    }
                }
                Ok(())
            })?;
            out.check(attr)?;
            if found.replace(out).is_some() {
                return Err(Error::new_spanned(attr, "one #[param(...)] per field"));
            }
        }
        Ok(found)
    }

    /// Refuses combinations that mean nothing: a field is one of skip, table, list or knob;
    /// only a table has a label; only a knob has a unit, words, bounds or `initial`.
    fn check(&self, attr: &Attribute) -> syn::Result<()> {
        let knob = self.words || self.unit.is_some() || self.min.is_some() || self.max.is_some() || self.initial;
        let kinds = [self.skip, self.table, self.list, knob].iter().filter(|k| **k).count();
        if kinds != 1 {
            return Err(Error::new_spanned(
                attr,
                "a field is exactly one of: skip, table, list, or a knob (unit/words, min, max, initial)",
            ));
        }
        if self.label.is_some() && !self.table {
            return Err(Error::new_spanned(attr, "only a table has a label"));
        }
        Ok(())
    }
}

fn params(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(Error::new_spanned(input, "#[derive(Params)] is for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(Error::new_spanned(input, "#[derive(Params)] needs named fields"));
    };
    let mut entries = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named fields have names");
        let Some(attr) = ParamAttr::of(field)? else {
            return Err(Error::new_spanned(
                ident,
                "every scenario field says what it is: #[param(unit = \"...\", min = .., max = ..)], \
                 #[param(words)], #[param(table)], #[param(list)] or #[param(skip)]",
            ));
        };
        if let Some(serde) = serde_keys(&field.attrs)?
            .into_iter()
            .find(|k| ["rename", "flatten", "alias"].contains(&k.as_str()))
        {
            return Err(Error::new_spanned(
                ident,
                format!("#[serde({serde})] would make the TOML key differ from the registry path"),
            ));
        }
        let name = ident.unraw().to_string();
        if attr.skip {
            entries.push(quote!(crate::scenario::params::Field {
                name: #name,
                kind: crate::scenario::params::FieldKind::Skip,
            }));
            continue;
        }
        let ty = &field.ty;
        let kind = if attr.table {
            let label = attr.label.map(|l| l.value()).unwrap_or_default();
            quote!(crate::scenario::params::FieldKind::Table {
                fields: <#ty as crate::scenario::params::Params>::FIELDS,
                label: #label,
            })
        } else if attr.list {
            let item = vec_item(ty).ok_or_else(|| Error::new_spanned(ty, "#[param(list)] is for a Vec of tables"))?;
            quote!(crate::scenario::params::FieldKind::List {
                fields: <#item as crate::scenario::params::Params>::FIELDS,
            })
        } else {
            leaf(field, &attr)?
        };
        entries.push(quote!(crate::scenario::params::Field { name: #name, kind: #kind }));
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        // Bounds are written as the reader would (`min = 0`), then cast.
        #[allow(clippy::unnecessary_cast)]
        impl #impl_generics crate::scenario::params::Params for #ident #ty_generics #where_clause {
            const FIELDS: &'static [crate::scenario::params::Field] = &[#(#entries),*];
        }
    })
}

/// A knob: its doc comment, unit, bounds (NaN when it has none) and words.
fn leaf(field: &syn::Field, attr: &ParamAttr) -> syn::Result<Tokens> {
    let ident = field.ident.as_ref().expect("named fields have names");
    let doc = doc_comment(&field.attrs)?;
    if doc.is_empty() {
        return Err(Error::new_spanned(
            ident,
            "a knob needs a doc comment: its meaning in the registry",
        ));
    }
    let ty = &field.ty;
    let initial = attr.initial;
    let (unit, words) = match (&attr.unit, attr.words) {
        (None, true) => (
            quote!("enum"),
            quote!(<#ty as crate::scenario::params::Variants>::WORDS),
        ),
        (Some(unit), false) => (quote!(#unit), quote!(&[])),
        _ => {
            return Err(Error::new_spanned(
                ident,
                "a knob has either a unit (numbers, bools, strings) or words (enums)",
            ));
        }
    };
    // A number without bounds would be taken for a non-number (NaN bounds) and escape
    // range checks: bounds are required exactly for numbers and lists of numbers.
    let (min, max) = match (&attr.min, &attr.max, is_numeric(ty)) {
        (Some(min), Some(max), true) => (quote!((#min) as f64), quote!((#max) as f64)),
        (None, None, false) => (quote!(f64::NAN), quote!(f64::NAN)),
        (_, _, true) => return Err(Error::new_spanned(ident, "a numeric knob needs min and max")),
        (_, _, false) => return Err(Error::new_spanned(ident, "only a numeric knob has min and max")),
    };
    Ok(
        quote!(crate::scenario::params::FieldKind::Leaf(crate::scenario::params::Leaf {
            unit: #unit,
            min: #min,
            max: #max,
            doc: #doc,
            words: #words,
            initial: #initial,
        })),
    )
}

/// The doc comment's first paragraph, its lines trimmed and joined by spaces: the meaning
/// in the registry (later paragraphs are for rustdoc alone). A doc attribute that is not a
/// string literal (`include_str!`) is refused rather than dropped.
fn doc_comment(attrs: &[Attribute]) -> syn::Result<String> {
    let mut text = String::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                    text.push_str(&s.value());
                    text.push('\n');
                }
                _ => return Err(Error::new_spanned(attr, "a knob's doc comment must be written out")),
            },
            _ => return Err(Error::new_spanned(attr, "a knob's doc comment must be written out")),
        }
    }
    let first: Vec<&str> = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    Ok(first.join(" "))
}

/// Whether a knob of type `ty` is a number or a list of numbers (its bounds apply to each).
fn is_numeric(ty: &Type) -> bool {
    const NUMBERS: [&str; 8] = ["f64", "f32", "u8", "u16", "u32", "u64", "i64", "usize"];
    if let Some(item) = vec_item(ty) {
        return is_numeric(item);
    }
    match ty {
        Type::Array(array) => is_numeric(&array.elem),
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| NUMBERS.iter().any(|n| last.ident == n)),
        _ => false,
    }
}

/// `T` of a `Vec<T>`.
fn vec_item(ty: &Type) -> Option<&Type> {
    if let Type::Path(path) = ty
        && let Some(last) = path.path.segments.last()
        && last.ident == "Vec"
        && let PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(GenericArgument::Type(item)) = args.args.first()
    {
        return Some(item);
    }
    None
}

fn variants(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Enum(data) = &input.data else {
        return Err(Error::new_spanned(input, "#[derive(Variants)] is for enums"));
    };
    let snake = serde_rename_all(&input.attrs)?;
    let mut all = Vec::new();
    let mut words = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(Error::new_spanned(
                variant,
                "#[derive(Variants)] is for fieldless enums",
            ));
        }
        // `as_str` indexes WORDS by discriminant, and every variant must have its word.
        if variant.discriminant.is_some() {
            return Err(Error::new_spanned(
                variant,
                "#[derive(Variants)] needs implicit discriminants (0, 1, ...)",
            ));
        }
        if let Some(key) = serde_keys(&variant.attrs)?
            .into_iter()
            .find(|k| ["skip", "skip_serializing", "skip_deserializing", "other", "alias"].contains(&k.as_str()))
        {
            return Err(Error::new_spanned(
                variant,
                format!("#[serde({key})] breaks the variant ↔ word pairing"),
            ));
        }
        let ident = &variant.ident;
        all.push(quote!(Self::#ident));
        let word = match serde_rename(&variant.attrs)? {
            Some(word) => word,
            None if snake => snake_case(&ident.to_string()),
            None => ident.to_string(),
        };
        words.push(word);
    }
    let ident = &input.ident;
    Ok(quote! {
        impl crate::scenario::params::Variants for #ident {
            const ALL: &'static [Self] = &[#(#all),*];
            const WORDS: &'static [&'static str] = &[#(#words),*];
        }
    })
}

/// The `key` and `key = value` entries of an item's `#[serde(...)]` attributes.
fn serde_entries(attrs: &[Attribute]) -> syn::Result<Vec<(String, Option<Expr>)>> {
    let mut entries = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let value = match meta.input.peek(syn::Token![=]) {
                true => Some(meta.value()?.parse::<Expr>()?),
                false => None,
            };
            entries.push((key, value));
            Ok(())
        })?;
    }
    Ok(entries)
}

/// The keys of an item's `#[serde(...)]` attributes.
fn serde_keys(attrs: &[Attribute]) -> syn::Result<Vec<String>> {
    Ok(serde_entries(attrs)?.into_iter().map(|(key, _)| key).collect())
}

/// The string value of `#[serde(key = "...")]`, if given.
fn serde_string(attrs: &[Attribute], key: &str) -> syn::Result<Option<LitStr>> {
    for (k, value) in serde_entries(attrs)? {
        if k == key {
            return match value {
                Some(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => Ok(Some(s)),
                other => Err(Error::new_spanned(other, format!("expected {key} = \"...\""))),
            };
        }
    }
    Ok(None)
}

/// Whether the enum's serde attributes say `rename_all = "snake_case"` (the only case used;
/// any other `rename_all` is refused rather than guessed).
fn serde_rename_all(attrs: &[Attribute]) -> syn::Result<bool> {
    match serde_string(attrs, "rename_all")? {
        None => Ok(false),
        Some(rule) if rule.value() == "snake_case" => Ok(true),
        Some(rule) => Err(Error::new_spanned(
            rule,
            "Variants knows rename_all = \"snake_case\" only",
        )),
    }
}

/// A variant's `#[serde(rename = "...")]`.
fn serde_rename(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    Ok(serde_string(attrs, "rename")?.map(|s| s.value()))
}

/// `RivalCloud` → `rival_cloud`, `Phase1` → `phase1` (serde's rule).
fn snake_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, ch) in ident.char_indices() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(ch.to_lowercase());
    }
    out
}
