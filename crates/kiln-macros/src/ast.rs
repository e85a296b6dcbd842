//! The architecture grammar and its parser.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Token, Type, Visibility, braced, bracketed, parenthesized};

/// `#[attrs] vis struct Name { input: [W, H, D], items… }`
pub struct Model {
    /// The path generated code uses for kiln (`::kiln`, or `#[kiln(crate = path)]`).
    pub root: TokenStream,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub input: [Expr; 3],
    pub items: Vec<Item>,
}

/// One entry of a sequence: a layer or a composite block, optionally named.
#[derive(Clone)]
pub struct Item {
    pub name: Option<Ident>,
    pub kind: Kind,
    pub span: Span,
}

/// What an entry is.
#[derive(Clone)]
pub enum Kind {
    /// A built-in layer (`conv(…)`, `relu`, …).
    Builtin { layer: Ident, args: Vec<Arg> },
    /// A user-defined layer: `layer(Type)`.
    Custom(Box<Type>),
    /// `residual { … }` with an optional `shortcut { … }`.
    Residual {
        body: Vec<Item>,
        shortcut: Option<Vec<Item>>,
    },
    /// `concat { name { … }, … }`.
    Concat { branches: Vec<(Ident, Vec<Item>)> },
    /// `aux { … }`: a side branch (an auxiliary classifier) fed the current activation; the
    /// main path goes on unchanged and the branch runs only in `forward_aux`.
    Aux { body: Vec<Item> },
}

/// A layer argument: positional or `key = value`.
#[derive(Clone)]
pub struct Arg {
    pub key: Option<Ident>,
    pub value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            Ok(Arg {
                key: Some(key),
                value: input.parse()?,
            })
        } else {
            Ok(Arg {
                key: None,
                value: input.parse()?,
            })
        }
    }
}

/// An entry as written: an item; `repeat(a..b) { items }`, which stands for copies of its
/// items for `i` in `a..b` (none when a = b), each named item renamed `name_i`; or
/// `numbered(prefix) { items }`, whose unnamed items are named `prefix_k` by their position
/// `k` from 0, every item counted (torchvision's `features.3` is `features_3`).
enum Entry {
    One(Item),
    Many(Vec<Item>),
}

/// Whether `input` starts with `word(`.
fn starts_with_call(input: ParseStream, word: &str) -> bool {
    let fork = input.fork();
    fork.parse::<Ident>().is_ok_and(|w| w == word) && fork.peek(syn::token::Paren)
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if starts_with_call(input, "numbered") {
            input.parse::<Ident>()?;
            let content;
            parenthesized!(content in input);
            let prefix: Ident = content.parse()?;
            let mut items = parse_block(input)?;
            for (k, item) in items.iter_mut().enumerate() {
                if let Some(name) = &item.name {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "`{name}` in `numbered({prefix})` is named by its position: \
                             `{prefix}_{k}`"
                        ),
                    ));
                }
                item.name = Some(quote::format_ident!("{prefix}_{k}", span = prefix.span()));
            }
            Ok(Entry::Many(items))
        } else if starts_with_call(input, "repeat") {
            let word: Ident = input.parse()?;
            let content;
            parenthesized!(content in input);
            let range: Expr = content.parse()?;
            let (start, end) = repeat_range(&range)?;
            // `repeat(1..n)` with n = 1 is empty: templates such as a CIFAR ResNet with one
            // block per stage rely on it.
            if start > end {
                return Err(syn::Error::new(
                    word.span(),
                    format!("`repeat({start}..{end})` runs backwards"),
                ));
            }
            let body = parse_block(input)?;
            let mut copies = Vec::new();
            for i in start..end {
                copies.extend(body.iter().map(|item| item.renamed(i)));
            }
            Ok(Entry::Many(copies))
        } else {
            Ok(Entry::One(input.parse()?))
        }
    }
}

/// `a..b` or `n` (meaning `0..n`) with literal bounds.
fn repeat_range(expr: &Expr) -> syn::Result<(usize, usize)> {
    let literal = |e: &Expr| {
        crate::num::Num::expr(e)?
            .value
            .ok_or_else(|| syn::Error::new_spanned(e, "`repeat` takes literal bounds"))
    };
    match expr {
        Expr::Range(range) => match (&range.start, &range.end, &range.limits) {
            (Some(a), Some(b), syn::RangeLimits::HalfOpen(_)) => Ok((literal(a)?, literal(b)?)),
            _ => Err(syn::Error::new_spanned(
                expr,
                "`repeat` takes `a..b` or a count",
            )),
        },
        other => Ok((0, literal(other)?)),
    }
}

impl Item {
    /// This item as copy `i` of a `repeat`: a named item becomes `name_i`.
    fn renamed(&self, i: usize) -> Item {
        Item {
            name: self
                .name
                .as_ref()
                .map(|n| quote::format_ident!("{n}_{i}", span = n.span())),
            kind: self.kind.clone(),
            span: self.span,
        }
    }
}

fn parse_items(input: ParseStream) -> syn::Result<Vec<Item>> {
    let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
    let mut items = Vec::new();
    for entry in entries {
        match entry {
            Entry::One(item) => items.push(item),
            Entry::Many(copies) => items.extend(copies),
        }
    }
    Ok(items)
}

fn parse_block(input: ParseStream) -> syn::Result<Vec<Item>> {
    let content;
    braced!(content in input);
    parse_items(&content)
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let span = input.span();
        let name = if input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            let name: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            Some(name)
        } else {
            None
        };
        let layer: Ident = input.parse()?;
        let kind = match layer.to_string().as_str() {
            "residual" => {
                let body = parse_block(input)?;
                let shortcut = if input.peek(Ident) {
                    let word: Ident = input.parse()?;
                    if word != "shortcut" {
                        return Err(syn::Error::new(word.span(), "expected `shortcut { … }`"));
                    }
                    Some(parse_block(input)?)
                } else {
                    None
                };
                Kind::Residual { body, shortcut }
            }
            "concat" => {
                let content;
                braced!(content in input);
                let mut branches = Vec::new();
                while !content.is_empty() {
                    let branch: Ident = content.parse()?;
                    branches.push((branch, parse_block(&content)?));
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
                if branches.len() < 2 {
                    return Err(syn::Error::new(
                        layer.span(),
                        "concat needs at least two branches",
                    ));
                }
                Kind::Concat { branches }
            }
            "aux" => Kind::Aux {
                body: parse_block(input)?,
            },
            "layer" => {
                let content;
                parenthesized!(content in input);
                Kind::Custom(Box::new(content.parse()?))
            }
            _ => {
                let args = if input.peek(syn::token::Paren) {
                    let content;
                    parenthesized!(content in input);
                    Punctuated::<Arg, Token![,]>::parse_terminated(&content)?
                        .into_iter()
                        .collect()
                } else {
                    Vec::new()
                };
                Kind::Builtin { layer, args }
            }
        };
        Ok(Item { name, kind, span })
    }
}

impl Parse for Model {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let mut root = quote!(::kiln);
        if let Some(at) = attrs.iter().position(|a| a.path().is_ident("kiln")) {
            attrs.remove(at).parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    root = meta.value()?.parse::<syn::Path>()?.into_token_stream();
                    Ok(())
                } else {
                    Err(meta.error("expected `crate = path`"))
                }
            })?;
        }
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let key: Ident = content.parse()?;
        if key != "input" {
            return Err(syn::Error::new(
                key.span(),
                "a model starts with `input: [W, H, D]`",
            ));
        }
        content.parse::<Token![:]>()?;
        let dims;
        bracketed!(dims in content);
        let dims: Vec<Expr> = Punctuated::<Expr, Token![,]>::parse_terminated(&dims)?
            .into_iter()
            .collect();
        let input_dims: [Expr; 3] = dims
            .try_into()
            .map_err(|_| syn::Error::new(key.span(), "`input` takes [W, H, D]"))?;
        if content.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                "a model needs at least one layer",
            ));
        }
        content.parse::<Token![,]>()?;
        let items = parse_items(&content)?;
        if items.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                "a model needs at least one layer",
            ));
        }
        Ok(Model {
            root,
            attrs,
            vis,
            name,
            input: input_dims,
            items,
        })
    }
}
